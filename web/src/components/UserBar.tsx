import { t } from "../i18n";
import { setState, useStore } from "../store";
import { Avatar } from "./Avatar";

export function UserBar() {
  const me = useStore((s) => s.me);
  const connection = useStore((s) => s.connection);
  if (!me) return null;
  return (
    <div class="userbar">
      <Avatar name={me.display_name || me.username} src={me.avatar} status={connection === "connected" ? "online" : "offline"} />
      <span class="userbar-names">
        {me.display_name && <span class="userbar-name" data-testid="me-display">{me.display_name}</span>}
        <span class={me.display_name ? "userbar-user muted small" : "userbar-name"} data-testid="me">{me.username}</span>
      </span>
      <button class="icon" aria-label={t("userSettings")} title={t("userSettings")}
        onClick={() => setState({ settings: { kind: "user" } })}>
        <span aria-hidden="true">⚙</span>
      </button>
    </div>
  );
}
