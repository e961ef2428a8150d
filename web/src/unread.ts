// Unread marks: a channel is unread when the newest message id seen in it is past the
// last id the user read there. Pure functions, so the rules are unit-tested.

export interface UnreadState {
  /** Last message id the user has read, per channel (persisted per user). */
  lastRead: Record<number, number>;
  /** Newest message id known, per channel. */
  latest: Record<number, number>;
}

export const emptyUnread = (): UnreadState => ({ lastRead: {}, latest: {} });

/**
 * The newest id of a channel as first seen (its history on join). A channel never
 * read before starts as read: joining a guild does not light up its whole past.
 */
export function seed(s: UnreadState, channelId: number, newestId: number): UnreadState {
  const latest = Math.max(s.latest[channelId] ?? 0, newestId);
  const lastRead = s.lastRead[channelId] ?? latest;
  return { lastRead: { ...s.lastRead, [channelId]: lastRead },
    latest: { ...s.latest, [channelId]: latest } };
}

/**
 * A new message arrived. Our own messages, and any message in the channel being
 * looked at, count as read at once.
 */
export function noteMessage(s: UnreadState, channelId: number, messageId: number,
  mine: boolean, viewing: boolean): UnreadState {
  const latest = Math.max(s.latest[channelId] ?? 0, messageId);
  const prevRead = s.lastRead[channelId] ?? 0;
  const lastRead = mine || viewing ? Math.max(prevRead, latest) : prevRead;
  return { lastRead: { ...s.lastRead, [channelId]: lastRead },
    latest: { ...s.latest, [channelId]: latest } };
}

export function markRead(s: UnreadState, channelId: number): UnreadState {
  const latest = s.latest[channelId] ?? 0;
  if ((s.lastRead[channelId] ?? 0) >= latest) return s;
  return { ...s, lastRead: { ...s.lastRead, [channelId]: latest } };
}

export function isUnread(s: UnreadState, channelId: number): boolean {
  const latest = s.latest[channelId];
  if (latest === undefined) return false;
  return latest > (s.lastRead[channelId] ?? latest);
}

export function anyUnread(s: UnreadState, channelIds: number[]): boolean {
  return channelIds.some((id) => isUnread(s, id));
}

/** The part worth keeping across reloads. */
export function persistable(s: UnreadState): Record<number, number> {
  return s.lastRead;
}
