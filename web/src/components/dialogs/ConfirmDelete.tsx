import { deleteMessage } from "../../actions/messages";
import { t } from "../../i18n";
import type { Message } from "../../types";
import { Actions, close, Modal } from "./Modal";

export default function ConfirmDelete({ m }: { m: Message }) {
  return (
    <Modal title={t("deleteMessage")} onSubmit={async () => { close(); await deleteMessage(m); }}>
      <p>{t("confirmDeleteMessage")}</p>
      <blockquote class="quote">{m.content}</blockquote>
      <Actions submit={t("delete")} />
    </Modal>
  );
}
