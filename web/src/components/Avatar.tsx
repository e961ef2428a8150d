import { fileUrl } from "../api";
import { t } from "../i18n";

const COLORS = ["#5865f2", "#3ba55c", "#faa61a", "#ed4245", "#eb459e", "#9b59b6", "#1abc9c"];

export function colorFor(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length];
}

export function Avatar({ name, src, status, size = 32 }: { name: string; src?: string | null;
  status?: "online" | "offline"; size?: number }) {
  return (
    <span class="avatar" style={{ width: `${size}px`, height: `${size}px`, background: src ? undefined : colorFor(name) }}
      aria-hidden="true" data-initial={src ? undefined : [...name][0]?.toUpperCase()}>
      {/* the initial is drawn by CSS: decoration, not text a button's name must contain */}
      {src && <img src={fileUrl(src)} alt="" />}
      {status && <span class={`presence ${status}`} title={status === "online" ? t("online") : t("offline")} />}
    </span>
  );
}
