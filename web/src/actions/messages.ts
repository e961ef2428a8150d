// A channel's messages: pages of history, sending, edits, pins, reactions, and the
// gaps a reconnect leaves (filled over REST).
import { api } from "../api";
import { fillGap, mergeMessages, newestStoredId, oldestStoredId, reconcileNewest } from "../gaps";
import { navigate } from "../nav";
import { noteIncoming } from "../readstates";
import * as rt from "../realtime";
import { originalDeleted, replyRef } from "../replies";
import { channelPath } from "../router";
import { type ChannelMessages, emptyChannel, getState, patchChannel, patchWindow, setState } from "../store";
import type { Message, ReplyRef, SearchHit } from "../types";
import { markRead, noteMessage } from "../unread";
import { attempt, currentChannelId, findChannel, isViewing, myRoleIds, showError } from "./common";
import { enter, loadReadStates, noteLiveMessage, scheduleAcks } from "./readstates";

export const PAGE = 50;

/** The newest page re-read after a reconnect: the rows a reader is likely looking at. */
export const RELOAD_PAGE = 100;

export function readChannel(channelId: number): void {
  setState((s) => ({ unread: markRead(s.unread, channelId) }));
  scheduleAcks();
}

export async function openChannel(channelId: number): Promise<void> {
  if (findChannel(channelId)?.type === "voice") return; // no history to read here
  const cur = getState().messages[channelId];
  enter(channelId);
  // Loaded, or its first page already asked for (sign-in asks before the screen does).
  if (cur?.loaded || cur?.loadingOlder) return;
  patchChannel(channelId, () => ({ loadingOlder: true }));
  const win = getState().messages[channelId].window;
  try {
    const items = await api.messages(channelId, { limit: PAGE });
    patchWindow(channelId, win, (c) => ({
      items: mergeMessages(c.items, items), loaded: true, loadingOlder: false,
      hasMoreBefore: items.length >= PAGE, hasMoreAfter: false,
    }));
    const newest = newestStoredId(items);
    if (newest) noteNewest(channelId, newest);
  } catch (e) {
    patchWindow(channelId, win, () => ({ loadingOlder: false }));
    showError(e);
  }
}

function noteNewest(channelId: number, id: number): void {
  setState((s) => ({ unread: noteMessage(s.unread, channelId, id, false, isViewing(channelId)) }));
  scheduleAcks();
}

/** The two ends of a window: what marks a read under way, whether there is more, where
 * the stored rows end, and the cursor that asks past it. */
const SIDES = {
  older: { busy: "loadingOlder", more: "hasMoreBefore", edge: oldestStoredId, cursor: "before" },
  newer: { busy: "loadingNewer", more: "hasMoreAfter", edge: newestStoredId, cursor: "after" },
} as const;

/** The next page past one end of the window, merged in (dropped if the window was replaced). */
async function loadPage(channelId: number, side: keyof typeof SIDES): Promise<void> {
  const { busy, more, edge, cursor } = SIDES[side];
  const cur = getState().messages[channelId];
  if (!cur || cur[busy] || !cur[more]) return;
  const from = edge(cur.items);
  if (from === undefined) return;
  const flag = (on: boolean) => ({ [busy]: on }) as Partial<ChannelMessages>;
  patchChannel(channelId, () => flag(true));
  try {
    const items = await api.messages(channelId, { [cursor]: from, limit: PAGE });
    patchWindow(channelId, cur.window, (c) => ({ items: mergeMessages(c.items, items), ...flag(false),
      [more]: items.length >= PAGE }));
  } catch (e) {
    patchWindow(channelId, cur.window, () => flag(false));
    showError(e);
  }
}

export const loadOlder = (channelId: number) => loadPage(channelId, "older");
export const loadNewer = (channelId: number) => loadPage(channelId, "newer");

/** Back to the newest page after reading an old stretch (search hit). */
export async function jumpToPresent(channelId: number): Promise<void> {
  setState((s) => ({ messages: { ...s.messages, [channelId]: emptyChannel() }, highlight: null }));
  await openChannel(channelId);
}

/** Opens a search hit: a window of messages around it, the hit highlighted. */
export async function jumpTo(hit: Pick<SearchHit, "id" | "channel_id" | "guild_id">): Promise<void> {
  navigate(channelPath(hit.guild_id, hit.channel_id));
  const loaded = getState().messages[hit.channel_id];
  if (loaded?.items.some((m) => m.id === hit.id)) {
    setState({ highlight: hit.id });
    return;
  }
  try {
    const half = 25;
    const [older, newer] = await Promise.all([
      api.messages(hit.channel_id, { before: hit.id + 1, limit: half }),
      api.messages(hit.channel_id, { after: hit.id, limit: half }),
    ]);
    setState((s) => ({
      highlight: hit.id,
      messages: { ...s.messages, [hit.channel_id]: { ...emptyChannel(),
        items: mergeMessages([], [...older, ...newer]), loaded: true,
        hasMoreBefore: older.length >= half, hasMoreAfter: newer.length >= half } },
    }));
  } catch (e) {
    showError(e);
  }
}

let pendingSeq = 0;

export function newNonce(): string {
  const rnd = Math.random().toString(36).slice(2, 10);
  return `${Date.now().toString(36)}-${rnd}`;
}

export async function sendMessage(channelId: number, content: string,
  files: { path: string; filename: string; size: number; mimetype: string; preview?: boolean }[] = [],
  nonce = newNonce(), replyTo?: Message | ReplyRef | null): Promise<Message | undefined> {
  const me = getState().me!;
  const ch = findChannel(channelId);
  const pending: Message = {
    id: -(++pendingSeq), channel_id: channelId, guild_id: ch?.guild_id ?? 0, author_id: me.id,
    username: me.username, content, timestamp: new Date().toISOString(), nonce, pending: true,
    files, reactions: [], reply_to: replyTo ? replyRef(replyTo) : null,
  };
  patchChannel(channelId, (c) => ({ items: mergeMessages(c.items, [pending]) }));
  rt.stopTyping(channelId);
  try {
    const m = await api.send(channelId, content, files.map((f) => f.path), nonce, replyTo?.id);
    receiveMessage(m);
    return m;
  } catch (e) {
    patchChannel(channelId, (c) => ({ items: c.items.map((x) =>
      x.nonce === nonce && x.pending ? { ...x, failed: true } : x) }));
    showError(e);
    return undefined;
  }
}

export async function retrySend(m: Message): Promise<void> {
  patchChannel(m.channel_id, (c) => ({ items: c.items.filter((x) => x.id !== m.id) }));
  await sendMessage(m.channel_id, m.content, m.files ?? [], m.nonce ?? newNonce(), m.reply_to);
}

export function discardPending(m: Message): void {
  patchChannel(m.channel_id, (c) => ({ items: c.items.filter((x) => x.id !== m.id) }));
}

/** A stored message from REST or the socket: merged (deduplicated by id and nonce). */
export function receiveMessage(m: Message): void {
  const cur = getState().messages[m.channel_id];
  // Also while the first page is on its way: that page may have been read before this
  // message was stored, and the page is merged into what is here, not put in its place.
  if (cur && !cur.hasMoreAfter && (cur.loaded || cur.loadingOlder)) {
    patchChannel(m.channel_id, (c) => ({ items: mergeMessages(c.items, [m]) }));
  }
  setState((s) => ({ unread: noteIncoming(s.unread, m, s.me?.id,
    myRoleIds(m.guild_id), isViewing(m.channel_id)) }));
  noteLiveMessage();
  scheduleAcks();
}

export function replaceMessage(m: Partial<Message> & { id: number }, channelId: number): void {
  patchChannel(channelId, (c) => ({ items: c.items.map((x) => (x.id === m.id ? { ...x, ...m } : x)) }));
  setState((s) => ({ pins: s.pins?.map((x) => (x.id === m.id ? { ...x, ...m } : x)) ?? null }));
}

export function removeMessage(id: number, channelId: number): void {
  patchChannel(channelId, (c) => ({ items: originalDeleted(c.items.filter((x) => x.id !== id), id) }));
  setState((s) => ({ pins: s.pins?.filter((x) => x.id !== id) ?? null }));
}

export async function editMessage(m: Message, content: string): Promise<void> {
  const updated = await attempt(() => api.edit(m.id, content));
  if (updated) replaceMessage(updated, m.channel_id);
}

export async function deleteMessage(m: Message): Promise<void> {
  const ok = await attempt(() => api.deleteMessage(m.id));
  if (ok !== undefined) removeMessage(m.id, m.channel_id);
}

export async function togglePin(m: Message): Promise<void> {
  const ok = await attempt(() => api.pin(m.id, !m.pinned));
  if (ok === undefined) return;
  replaceMessage({ id: m.id, pinned: !m.pinned }, m.channel_id);
  if (getState().panel === "pins") await loadPins(m.channel_id);
}

export async function loadPins(channelId: number): Promise<void> {
  const pins = await attempt(() => api.pins(channelId));
  setState({ pins: pins ?? [] });
}

export async function toggleReaction(m: Message, emoji: string): Promise<void> {
  const me = getState().me!.username;
  const has = (m.reactions ?? []).some((r) => r.emoji === emoji && r.users.includes(me));
  const updated = await attempt(() => api.react(m.id, emoji, !has));
  if (updated && typeof updated === "object" && "id" in updated) replaceMessage(updated, m.channel_id);
}

/**
 * After a reconnect: the open channel's window is re-read (deletes and edits made while
 * we were away show), other loaded channels fetch what they missed (for unread marks)
 * and are then dropped, so opening one reads it afresh.
 */
export async function fillGaps(): Promise<void> {
  void loadReadStates(); // read state carries no seq: read it again after a drop
  await Promise.all(Object.keys(getState().messages).map((key) => resyncChannel(Number(key))));
}

/** One channel the server could not replay (`resync_required`): read again over REST. */
export async function resyncChannel(channelId: number): Promise<void> {
  const c = getState().messages[channelId];
  if (!c?.loaded || c.hasMoreAfter) return;
  if (channelId === currentChannelId()) {
    await reloadOpenWindow(channelId);
    return;
  }
  const after = newestStoredId(c.items);
  if (after !== undefined) await fillChannelGap(channelId, after);
  if (currentChannelId() !== channelId) {
    setState((s) => ({ messages: { ...s.messages, [channelId]: emptyChannel() } }));
  }
}

/** The newest page read again and reconciled with the window on screen. */
export async function reloadOpenWindow(channelId: number): Promise<void> {
  const cur = getState().messages[channelId];
  if (!cur?.loaded || cur.hasMoreAfter) return;
  const win = cur.window;
  try {
    const page = await api.messages(channelId, { limit: RELOAD_PAGE });
    patchWindow(channelId, win, (c) => {
      const r = reconcileNewest(c.items, page, RELOAD_PAGE, c.hasMoreBefore);
      return { items: r.items, hasMoreBefore: r.hasMoreBefore };
    });
    // Unread marks and "mine" bookkeeping for what arrived while away.
    const held = newestStoredId(cur.items) ?? 0;
    for (const m of page) if (m.id > held) receiveMessage(m);
  } catch (e) {
    showError(e);
  }
}

/** Everything in a channel newer than `after`, merged in. */
export async function fillChannelGap(channelId: number, after: number): Promise<void> {
  try {
    const r = await fillGap((id, limit) => api.messages(channelId, { after: id, limit }), after, 100);
    if (!r.complete) {
      // Too much missed to stitch in: start again from the newest page.
      await jumpToPresent(channelId);
      return;
    }
    for (const m of r.messages) receiveMessage(m);
  } catch (e) {
    showError(e);
  }
}

/**
 * A room's history, read by the server after the socket entered the room: merging it
 * closes the window between a REST page load and the join, where a message could
 * otherwise fall between the two.
 */
export function receiveHistory(channelId: number, msgs: Message[]): void {
  const cur = getState().messages[channelId];
  if (cur?.hasMoreAfter) return;
  const before = cur ? newestStoredId(cur.items) : undefined;
  patchChannel(channelId, (c) => ({ items: mergeMessages(c.items, msgs) }));
  const oldest = Math.min(...msgs.map((m) => m.id));
  if (cur?.loaded && before !== undefined && oldest > before + 1 && msgs.length >= PAGE) {
    void fillChannelGap(channelId, before);
  }
}
