// The server's read state (docs/API.md section 16) folded into the client's unread
// marks, mention counts and the "new messages" divider. Pure functions, unit-tested.
import { mentionsMe } from "./mentions";
import type { Message, ReadState } from "./types";
import { isUnread, markRead, noteMessage, seed, type UnreadState } from "./unread";


/**
 * Server entries applied. `replace` (the list read at sign-in or after a reconnect):
 * the server's position is the truth, whatever the socket's history seeded meanwhile.
 * Otherwise (`read_state_updated`, an ack's answer) a position only moves forward.
 */
export function applyServer(s: UnreadState, entries: ReadState[], replace: boolean): UnreadState {
  const lastRead = { ...s.lastRead };
  const latest = { ...s.latest };
  const counts = { ...s.counts };
  const mentions = { ...s.mentions };
  for (const e of entries) {
    const c = e.channel_id;
    // A message newer than the entry may already have come over the socket.
    latest[c] = Math.max(s.latest[c] ?? 0, e.last_message_id);
    let read = replace ? e.last_read_id : Math.max(s.lastRead[c] ?? 0, e.last_read_id);
    // Nothing of others' unread: whatever is there up to the server's newest is read
    // (our own messages after the position, say).
    if (e.unread_count === 0) read = Math.max(read, e.last_message_id);
    lastRead[c] = read;
    const unread = latest[c] > read;
    const local = latest[c] > e.last_message_id ? (s.counts[c] ?? 0) : 0;
    counts[c] = unread ? Math.max(1, e.unread_count + local) : 0;
    mentions[c] = unread ? e.mention_count + (latest[c] > e.last_message_id ? (s.mentions[c] ?? 0) : 0) : 0;
  }
  return { ...s, lastRead, latest, counts, mentions };
}

/** A new message: unread bookkeeping as `noteMessage`, plus the mention count when it
 *  mentions the reader (counted once, like the unread count). */
export function noteIncoming(s: UnreadState, m: Message, meId: number | undefined,
  myRoles: number[], viewing: boolean): UnreadState {
  const mine = m.author_id === meId;
  const fresh = m.id > (s.latest[m.channel_id] ?? 0) && m.id > (s.lastRead[m.channel_id] ?? 0);
  const next = noteMessage(s, m.channel_id, m.id, mine, viewing);
  if (mine || viewing || !fresh || !mentionsMe(m, meId, myRoles)) return next;
  return { ...next, mentions: { ...next.mentions, [m.channel_id]: (next.mentions[m.channel_id] ?? 0) + 1 } };
}

/**
 * A room's history (on join): a channel never seen starts read (`seed`). One whose
 * position is already known (the server's list came first, say) counts what is past
 * it as if each message had come live, so no unread message goes uncounted.
 */
export function noteHistory(s: UnreadState, msgs: Message[], meId: number | undefined,
  myRoles: number[], viewing: boolean): UnreadState {
  if (msgs.length === 0) return s;
  const channelId = msgs[0].channel_id;
  if (s.lastRead[channelId] === undefined) {
    return seed(s, channelId, Math.max(...msgs.map((m) => m.id)));
  }
  return [...msgs].sort((a, b) => a.id - b.id)
    .reduce((acc, m) => noteIncoming(acc, m, meId, myRoles, viewing), s);
}

/**
 * The reader opens a channel: the divider goes after the last message read there when
 * something is unread (kept when it is already there for this channel, dropped when it
 * belonged to another), and the channel becomes read.
 */
export function enterChannel(s: UnreadState, channelId: number): UnreadState {
  let divider = s.divider;
  if (isUnread(s, channelId)) divider = { channelId, afterId: s.lastRead[channelId] ?? 0 };
  else if (divider && divider.channelId !== channelId) divider = null;
  return { ...markRead(s, channelId), divider };
}

/** "Mark as read" on the divider's bar: the divider goes away. */
export function dropDivider(s: UnreadState): UnreadState {
  return s.divider ? { ...s, divider: null } : s;
}

/** The first message after the divider that someone else wrote: where it is drawn. */
export function firstUnreadId(items: Pick<Message, "id" | "author_id">[], afterId: number,
  meId: number | undefined): number | undefined {
  return items.find((m) => m.id > afterId && m.author_id !== meId)?.id;
}

/** Mention count of a set of channels (a guild in the rail). */
export function mentionTotal(s: UnreadState, channelIds: number[]): number {
  return channelIds.reduce((n, id) => n + (s.mentions[id] ?? 0), 0);
}

/**
 * Channels whose read position moved past what the server has: the acks to send.
 * Before the server's list is in (`listed` false) only channels it told us about count:
 * positions seeded from room history then are guesses. Afterwards a channel missing
 * from `acked` is one that appeared since (created, or newly visible): position 0.
 */
export function pendingAcks(s: UnreadState, acked: Record<number, number>, listed: boolean):
  [number, number][] {
  const out: [number, number][] = [];
  const ids = listed ? Object.keys(s.lastRead) : Object.keys(acked);
  for (const key of ids) {
    const id = Number(key);
    const read = s.lastRead[id] ?? 0;
    if (read > (acked[id] ?? 0)) out.push([id, read]);
  }
  return out;
}
