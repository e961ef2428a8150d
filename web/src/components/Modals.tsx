// The dialog on screen (store.modal). Each dialog is its own file under dialogs/,
// loaded when first opened: none of them is needed to show messages.
import { lazy } from "./lazy";
import { useStore } from "../store";
import type { Message } from "../types";

export { Actions, close, Modal } from "./dialogs/Modal";

const CreateGuild = lazy(() => import("./dialogs/CreateGuild").then((m) => m.default));
const CreateChannel = lazy(() => import("./dialogs/CreateChannel").then((m) => m.default));
const InviteDialog = lazy(() => import("./dialogs/InviteDialog").then((m) => m.default));
const PollDialog = lazy(() => import("./dialogs/PollDialog").then((m) => m.default));
const ConfirmDelete = lazy(() => import("./dialogs/ConfirmDelete").then((m) => m.default));

export function Modals() {
  const modal = useStore((s) => s.modal);
  if (!modal) return null;
  switch (modal.kind) {
    case "createGuild": return <CreateGuild />;
    case "createChannel": return <CreateChannel {...(modal.data as { guildId: number; type: string; categoryId?: number })} />;
    case "invite": return <InviteDialog guildId={modal.data as number} />;
    case "poll": return <PollDialog channelId={modal.data as number} />;
    case "confirmDelete": return <ConfirmDelete m={modal.data as Message} />;
    default: return null;
  }
}
