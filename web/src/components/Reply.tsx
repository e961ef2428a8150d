// Replies (section 16): the quote above a reply (click jumps to the original; a
// deleted original says so) and the bar above the composer while answering.
import { jumpTo } from "../actions/messages";
import { t } from "../i18n";
import { renderMarkdown } from "../markdown";
import { snippet } from "../replies";
import { setState, useStore } from "../store";
import type { Message } from "../types";
import { useMentionRender } from "./Mention";

export function ReplyQuote({ m }: { m: Message }) {
  const mention = useMentionRender(m.guild_id);
  const r = m.reply_to;
  if (!r) return null;
  if ("deleted" in r && r.deleted) {
    return <div class="reply-quote deleted" data-testid="reply-quote"><span aria-hidden="true">↱ </span><em>{t("originalDeleted")}</em></div>;
  }
  const orig = r as Extract<typeof r, { username: string }>;
  return (
    <button type="button" class="reply-quote" data-testid="reply-quote" title={t("jumpToOriginal")}
      aria-label={`${t("jumpToOriginal")}: ${orig.username}: ${snippet(orig.content)}`}
      onClick={() => void jumpTo({ id: orig.id, channel_id: m.channel_id, guild_id: m.guild_id })}>
      <span aria-hidden="true">↱ </span>
      <span class="reply-author">@{orig.username}</span>{" "}
      <span class="reply-text">{renderMarkdown(snippet(orig.content), {}, mention)}</span>
    </button>
  );
}

/** Starts answering `m`: the bar shows above the composer, which takes the focus. */
export function startReply(m: Message): void {
  setState((s) => ({ replying: { ...s.replying, [m.channel_id]: m } }));
  setTimeout(() => document.querySelector<HTMLTextAreaElement>(".composer textarea")?.focus());
}

export function cancelReply(channelId: number): void {
  setState((s) => {
    if (!s.replying[channelId]) return {};
    const { [channelId]: _gone, ...rest } = s.replying;
    return { replying: rest };
  });
}

export function ReplyBar({ channelId }: { channelId: number }) {
  const m = useStore((s) => s.replying[channelId]);
  const me = useStore((s) => s.me);
  if (!m) return null;
  const self = m.author_id === me?.id;
  return (
    <div class="reply-bar" role="status" data-testid="reply-bar">
      <span class="reply-bar-text">
        {t("replyingTo", { name: m.username })}
        <span class="muted reply-snippet"> — {snippet(m.content, 60)}</span>
      </span>
      {/* The contract has no way to leave the author out: every reply mentions them. */}
      {!self && <span class="reply-ping" title={t("replyNotifies", { name: m.username })}
        aria-label={t("replyNotifies", { name: m.username })}>@ON</span>}
      <button type="button" class="icon small" aria-label={t("cancelReply")} title={t("cancelReply")}
        onClick={() => cancelReply(channelId)}>✕</button>
    </div>
  );
}
