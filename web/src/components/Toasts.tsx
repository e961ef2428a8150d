import { useStore } from "../store";
import { t } from "../i18n";

export function Toasts() {
  const toasts = useStore((s) => s.toasts);
  const connection = useStore((s) => s.connection);
  const me = useStore((s) => s.me);
  return (
    <>
      {me && connection === "offline" && (
        <div class="banner" role="alert">{t("reconnecting")}</div>
      )}
      <div class="toasts" role="status" aria-live="polite">
        {toasts.map((x) => (
          <div key={x.id} class={`toast toast-${x.kind}`} role={x.kind === "error" ? "alert" : undefined}>
            {x.text}
          </div>
        ))}
      </div>
    </>
  );
}
