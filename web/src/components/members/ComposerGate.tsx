import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { formatTime } from "../../i18n";
import { tg } from "../../i18n-gov";
import { has, isTimedOut } from "../../perms";
import { channelPerms, myMember, permsKnown } from "../../roles";
import { useStore } from "../../store";
import type { Channel } from "../../types";

/**
 * The composer, or why there is none: a timed-out member sees until when (and gets the
 * composer back when it ends, without a reload); a member without SEND_MESSAGES is told so.
 */
export function ComposerGate({ channel, children }: { channel: Channel; children: ComponentChildren }) {
  const until = useStore((s) => myMember(s, channel.guild_id)?.communication_disabled_until ?? null);
  const canSend = useStore((s) => !permsKnown(s, channel.guild_id)
    || has(channelPerms(s, channel.guild_id, channel), "SEND_MESSAGES"));
  const [, tick] = useState(0);
  const timedOut = isTimedOut({ id: 0, username: "", communication_disabled_until: until });
  useEffect(() => {
    if (!timedOut || !until) return;
    const id = setTimeout(() => tick((n) => n + 1), Math.min(Date.parse(until) - Date.now() + 50, 2 ** 31 - 1));
    return () => clearTimeout(id);
  }, [until, timedOut]);
  if (timedOut && until) {
    return (
      <div class="composer blocked" role="note" data-testid="timeout-notice">
        <strong><span aria-hidden="true">⏱ </span>{tg("timedOutUntil", { when: formatTime(until) })}</strong>
        <span class="muted small">{tg("timedOutHint")}</span>
      </div>
    );
  }
  if (!canSend) return <div class="composer blocked" role="note">🔒 {tg("noSendPermission")}</div>;
  return <>{children}</>;
}
