import { t } from "../i18n";
import { setState, useStore } from "../store";
import { Avatar } from "./Avatar";

export function UserBar() {
  const me = useStore((s) => s.me);
  const connection = useStore((s) => s.connection);
  if (!me) return null;
  return (
    <div class="userbar">
      <Avatar name={me.username} src={me.avatar} status={connection === "connected" ? "online" : "offline"} />
      <span class="userbar-name" data-testid="me">{me.username}</span>
      <button class="icon" aria-label={t("userSettings")} title={t("userSettings")}
        onClick={() => setState({ modal: { kind: "userSettings" } })}>
        <span aria-hidden="true">⚙</span>
      </button>
    </div>
  );
}
