// Unread marks: a channel is unread when the newest message id seen in it is past the
// last id the user read there. Pure functions, so the rules are unit-tested.

export interface UnreadState {
  /** Last message id the user has read, per channel (persisted per user). */
  lastRead: Record<number, number>;
  /** Newest message id known, per channel. */
  latest: Record<number, number>;
  /** Unread messages that arrived in this session, per channel (ids are global, so
   *  `latest - lastRead` is no count). Not persisted. */
  counts: Record<number, number>;
  /** Unread messages that mention the user, per channel (server read state, then live). */
  mentions: Record<number, number>;
  /** Where the "new messages" divider goes in the channel on screen: after `afterId`. */
  divider: { channelId: number; afterId: number } | null;
}

export const emptyUnread = (): UnreadState => ({ lastRead: {}, latest: {}, counts: {},
  mentions: {}, divider: null });

/**
 * The newest id of a channel as first seen (its history on join). A channel never
 * read before starts as read: joining a guild does not light up its whole past.
 */
export function seed(s: UnreadState, channelId: number, newestId: number): UnreadState {
  const latest = Math.max(s.latest[channelId] ?? 0, newestId);
  const lastRead = s.lastRead[channelId] ?? latest;
  return { ...s, lastRead: { ...s.lastRead, [channelId]: lastRead },
    latest: { ...s.latest, [channelId]: latest } };
}

/**
 * A channel created while we are online: nothing in it was read yet (the server's
 * position is 0), so what its room history brings counts as unread, unlike a
 * channel merely not seen before (`seed`).
 */
export function startUnread(s: UnreadState, channelId: number): UnreadState {
  if (s.lastRead[channelId] !== undefined) return s;
  return { ...s, lastRead: { ...s.lastRead, [channelId]: 0 } };
}

/**
 * A new message arrived. Our own messages, and any message in the channel being
 * looked at, count as read at once.
 */
export function noteMessage(s: UnreadState, channelId: number, messageId: number,
  mine: boolean, viewing: boolean): UnreadState {
  const prevLatest = s.latest[channelId] ?? 0;
  const latest = Math.max(prevLatest, messageId);
  const prevRead = s.lastRead[channelId] ?? 0;
  const read = mine || viewing;
  const lastRead = read ? Math.max(prevRead, latest) : prevRead;
  // Counted once: the same message may come from the socket and a gap fill.
  const fresh = messageId > prevLatest && messageId > prevRead;
  const count = read ? 0 : (s.counts[channelId] ?? 0) + (fresh ? 1 : 0);
  return { ...s, lastRead: { ...s.lastRead, [channelId]: lastRead },
    latest: { ...s.latest, [channelId]: latest }, counts: { ...s.counts, [channelId]: count } };
}

export function markRead(s: UnreadState, channelId: number): UnreadState {
  const latest = s.latest[channelId] ?? 0;
  if ((s.lastRead[channelId] ?? 0) >= latest && !s.counts[channelId] && !s.mentions[channelId]) return s;
  return { ...s, lastRead: { ...s.lastRead, [channelId]: Math.max(latest, s.lastRead[channelId] ?? 0) },
    counts: { ...s.counts, [channelId]: 0 }, mentions: { ...s.mentions, [channelId]: 0 } };
}

export function isUnread(s: UnreadState, channelId: number): boolean {
  const latest = s.latest[channelId];
  if (latest === undefined) return false;
  return latest > (s.lastRead[channelId] ?? latest);
}

export function anyUnread(s: UnreadState, channelIds: number[]): boolean {
  return channelIds.some((id) => isUnread(s, id));
}

/**
 * Unread messages over all channels, for the tab title: those counted in this
 * session, and at least one for a channel left unread before a reload (its number
 * is not known without reading it).
 */
export function unreadCount(s: UnreadState): number {
  let n = 0;
  for (const key of Object.keys(s.latest)) {
    const id = Number(key);
    if (isUnread(s, id)) n += Math.max(1, s.counts[id] ?? 0);
  }
  return n;
}

/** "(3) #general · Guildhall": the unread count first, so a narrow tab still shows it. */
export function tabTitle(app: string, count: number, channel?: { name: string; type: string }): string {
  const mark = channel?.type === "text" ? "#" : channel?.type === "dm" ? "@" : "";
  const where = channel ? `${mark}${channel.name} · ` : "";
  return `${count > 0 ? `(${count}) ` : ""}${where}${app}`;
}
