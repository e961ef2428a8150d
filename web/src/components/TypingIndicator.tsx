import { t } from "../i18n";
import { useStore } from "../store";

export function typingText(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return t("typing1", { a: names[0] });
  if (names.length === 2) return t("typing2", { a: names[0], b: names[1] });
  return t("typingMany");
}

export function TypingIndicator({ channelId }: { channelId: number }) {
  const users = useStore((s) => s.typing[channelId]);
  const names = Object.keys(users ?? {}).sort();
  return <div class="typing" aria-live="polite" data-testid="typing">{typingText(names)}</div>;
}
