// Unread state on screen: mention badges (channel list, guild rail), the bar over a
// channel opened with unread messages, and "mark as read".
import { readChannel } from "../actions/messages";
import { formatTime, t } from "../i18n";
import { dropDivider, firstUnreadId } from "../readstates";
import { setState, useStore } from "../store";
import { badgeText } from "../unreadname";

/** The red count on a link whose name says it (`unreadName`): hidden from screen
 *  readers, which hear the name. The space before it keeps its number a word of its
 *  own in the link's text ("random 2", not "random2"), which is what axe compares
 *  with the name; a flex or grid container draws no such space. */
export function MentionBadge({ count, class: cls = "" }: { count: number; class?: string }) {
  if (count <= 0) return null;
  return (
    <>
      {" "}
      <span class={`badge mention-badge ${cls}`} data-testid="mention-badge" aria-hidden="true">{badgeText(count)}</span>
    </>
  );
}

/** "✓" on an unread channel's row. */
export function MarkReadButton({ channelId, name }: { channelId: number; name: string }) {
  return (
    <button class="icon small row-tool mark-read" aria-label={`${t("markAsRead")}: ${name}`}
      title={t("markAsRead")} onClick={() => readChannel(channelId)}>✓</button>
  );
}

/** Over the log of a channel opened with unread messages: how many since when (click
 *  scrolls to the divider) and "Mark as read", which takes the divider away. */
export function NewMessagesBar({ channelId }: { channelId: number }) {
  const divider = useStore((s) => (s.unread.divider?.channelId === channelId ? s.unread.divider : null));
  const items = useStore((s) => s.messages[channelId]?.items);
  const meId = useStore((s) => s.me?.id);
  if (!divider || !items) return null;
  const first = firstUnreadId(items, divider.afterId, meId);
  if (first === undefined) return null;
  const fresh = items.filter((m) => m.id > divider.afterId && m.author_id !== meId);
  const when = formatTime(fresh[0].timestamp);
  return (
    <div class="new-bar" role="status" data-testid="new-messages-bar">
      <button type="button" class="new-bar-text" onClick={() => setState({ highlight: first })}>
        {t("newSince", { n: fresh.length, when })}
      </button>
      <button type="button" class="new-bar-read" onClick={() => setState((s) => ({ unread: dropDivider(s.unread) }))}>
        {t("markAsRead")}
      </button>
    </div>
  );
}
