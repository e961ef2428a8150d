// Keeping a channel's loaded messages whole: merging pages, socket events and
// optimistic sends, and filling what was missed while the socket was down.
import type { Message } from "./types";

/** Sorted by id; optimistic (pending) messages, which have no server id yet, last. */
export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return existing;
  const byId = new Map<number, Message>();
  const nonces = new Set<string>();
  for (const m of incoming) if (!m.pending && m.nonce) nonces.add(m.nonce);
  for (const m of existing) {
    // A stored message replaces the optimistic copy that carried the same nonce.
    if (m.pending && m.nonce && nonces.has(m.nonce)) continue;
    byId.set(m.id, m);
  }
  for (const m of incoming) {
    if (m.pending && m.nonce && [...byId.values()].some((e) => !e.pending && e.nonce === m.nonce)) {
      continue;
    }
    byId.set(m.id, keepMyVotes(byId.get(m.id), m));
  }
  return [...byId.values()].sort(compareMessages);
}

/**
 * A message's poll from a page or the room history carries no `user_votes` (only
 * GET /poll does): a newer copy must not erase the caller's votes we already know.
 */
export function keepMyVotes(old: Message | undefined, m: Message): Message {
  if (!old?.poll?.user_votes || !m.poll || m.poll.user_votes || m.poll.id !== old.poll.id) return m;
  return { ...m, poll: { ...m.poll, user_votes: old.poll.user_votes } };
}

function compareMessages(a: Message, b: Message): number {
  if (!!a.pending !== !!b.pending) return a.pending ? 1 : -1;
  return a.pending ? b.id - a.id : a.id - b.id; // pending ids count down from -1
}

/** The newest stored message id, the `after` cursor for gap filling. */
export function newestStoredId(messages: Message[]): number | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (!messages[i].pending) return messages[i].id;
  return undefined;
}

export function oldestStoredId(messages: Message[]): number | undefined {
  for (const m of messages) if (!m.pending) return m.id;
  return undefined;
}

export type FetchAfter = (afterId: number, limit: number) => Promise<Message[]>;

export interface GapResult {
  messages: Message[];
  /** false when the gap was larger than maxPages: the caller reloads the newest page. */
  complete: boolean;
}

/**
 * Everything newer than `afterId`, page by page with the `after` cursor, until a
 * short page says the end is reached.
 */
export async function fillGap(fetchAfter: FetchAfter, afterId: number, limit = 100,
  maxPages = 10): Promise<GapResult> {
  const got: Message[] = [];
  let cursor = afterId;
  for (let page = 0; page < maxPages; page++) {
    const batch = await fetchAfter(cursor, limit);
    got.push(...batch);
    if (batch.length < limit) return { messages: got, complete: true };
    const next = Math.max(...batch.map((m) => m.id));
    if (next <= cursor) return { messages: got, complete: true };
    cursor = next;
  }
  return { messages: got, complete: false };
}

/** Applies a reaction event idempotently: our own REST answer may already hold it. */
export function applyReaction(m: Message, emoji: string, username: string, added: boolean): Message {
  const reactions = (m.reactions ?? []).map((r) => ({ ...r, users: [...r.users] }));
  let r = reactions.find((x) => x.emoji === emoji);
  if (added) {
    if (r?.users.includes(username)) return m;
    if (!r) {
      r = { emoji, count: 0, users: [] };
      reactions.push(r);
    }
    r.users.push(username);
    r.count += 1;
  } else {
    if (!r || !r.users.includes(username)) return m;
    r.users = r.users.filter((u) => u !== username);
    r.count = Math.max(0, r.count - 1);
  }
  return { ...m, reactions: reactions.filter((x) => x.count > 0) };
}

export interface Reconciled {
  items: Message[];
  /** false when the newest page proved nothing older exists */
  hasMoreBefore: boolean;
  /** true when the page could not be stitched to what was held (too much missed) */
  replaced: boolean;
}

/**
 * The newest window after a reconnect, re-read: `page` is the channel's newest `limit`
 * messages as the server has them now. Within the span the page covers it is the truth
 * (messages deleted or edited while we were away disappear or change); older rows we
 * held are kept; optimistic sends stay until their ack replaces them.
 */
export function reconcileNewest(items: Message[], page: Message[], limit: number,
  hadMoreBefore: boolean): Reconciled {
  const pending = items.filter((m) => m.pending);
  const full = page.length >= limit;
  if (page.length === 0) return { items: pending, hasMoreBefore: false, replaced: false };
  const sorted = [...page].sort((a, b) => a.id - b.id);
  const pageOldest = sorted[0].id;
  const heldNewest = newestStoredId(items);
  if (full && (heldNewest === undefined || heldNewest < pageOldest)) {
    // A gap between what we held and the page: start again from the page alone.
    return { items: mergeMessages(pending, sorted), hasMoreBefore: true, replaced: true };
  }
  // A short page is the whole channel: nothing older survives.
  const kept = full ? items.filter((m) => !m.pending && m.id < pageOldest) : [];
  return { items: mergeMessages([...kept, ...pending], sorted),
    hasMoreBefore: full ? hadMoreBefore : false, replaced: false };
}
