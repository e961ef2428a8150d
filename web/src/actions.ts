// What the UI does: REST calls whose answers update the store. Errors are shown to
// the user (toast) unless the caller handles them (forms show them by their field).
import { api } from "./api";
import { errorText } from "./errors";
import { fillGap, mergeMessages, newestStoredId, oldestStoredId, reconcileNewest } from "./gaps";
import { t } from "./i18n";
import { navigate } from "./nav";
import { channelPath } from "./router";
import { emptyChannel, getState, patchChannel, patchWindow, resetState, setState, toast } from "./store";
import type { Channel, Message, Poll, SearchHit } from "./types";
import { markRead, noteMessage } from "./unread";
import * as rt from "./realtime";

export const PAGE = 50;
/** The newest page re-read after a reconnect: the rows a reader is likely looking at. */
export const RELOAD_PAGE = 100;

export function showError(e: unknown): void {
  toast(errorText(e));
}

/** Runs an action; failures become a toast instead of an unhandled rejection. */
export async function attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    showError(e);
    return undefined;
  }
}

// Coming back to the tab reads the channel on screen.
if (typeof document !== "undefined") {
  document.addEventListener("visibilitychange", () => {
    const cid = currentChannelId();
    if (document.visibilityState === "visible" && cid !== undefined) readChannel(cid);
  });
}

api.onRetry = (ms) => toast(t("retryIn", { s: Math.ceil(ms / 1000) }), "info");
api.onUnauthorized = () => {
  if (getState().me) signedOut();
};

// --- session

export async function boot(): Promise<void> {
  try {
    const me = await api.me();
    api.csrf = me.csrf_token;
    setState({ me, booting: false });
    await afterSignIn();
  } catch {
    setState({ booting: false, me: null });
  }
}

/** Asks the server whether the session still holds; a 401 signs the user out. */
export async function checkSession(): Promise<void> {
  try {
    await api.me();
  } catch { /* 401 is handled by api.onUnauthorized; a network error changes nothing */ }
}

export async function signedIn(me: { id: number; username: string; csrf_token?: string }): Promise<void> {
  api.csrf = me.csrf_token;
  setState({ me, booting: false });
  await afterSignIn();
}

async function afterSignIn(): Promise<void> {
  loadLastRead();
  rt.connect();
  await Promise.all([loadGuilds(), loadFriends()]);
}

export async function logout(): Promise<void> {
  await attempt(() => api.logout());
  signedOut();
}

function signedOut(): void {
  rt.disconnect();
  api.csrf = undefined;
  resetState({ theme: getState().theme, lang: getState().lang });
  navigate("/login");
}

// --- unread marks, persisted per user

function lastReadKey(): string {
  return `lastRead:${getState().me?.id ?? 0}`;
}

function loadLastRead(): void {
  try {
    const raw = localStorage.getItem(lastReadKey());
    if (raw) setState((s) => ({ unread: { ...s.unread, lastRead: JSON.parse(raw) } }));
  } catch { /* corrupt or unavailable: start fresh */ }
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
export function saveLastRead(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    try {
      localStorage.setItem(lastReadKey(), JSON.stringify(getState().unread.lastRead));
    } catch { /* quota: unread marks just do not survive a reload */ }
  }, 500);
}

export function currentChannelId(): number | undefined {
  const r = getState().route;
  return r.name === "channels" ? r.channelId : undefined;
}

export function isViewing(channelId: number): boolean {
  return currentChannelId() === channelId && (typeof document === "undefined"
    || document.visibilityState === "visible");
}

export function readChannel(channelId: number): void {
  setState((s) => ({ unread: markRead(s.unread, channelId) }));
  saveLastRead();
}

// --- guilds, channels, members

export async function loadGuilds(): Promise<void> {
  const guilds = await attempt(() => api.guilds());
  if (!guilds) return;
  setState({ guilds, guildsLoaded: true });
  await Promise.all(guilds.map((g) => loadChannels(g.id)));
}

export async function loadChannels(guildId: number): Promise<Channel[] | undefined> {
  const channels = await attempt(() => api.channels(guildId));
  if (!channels) return undefined;
  channels.sort((a, b) => a.position - b.position || a.id - b.id);
  setState((s) => ({ channels: { ...s.channels, [guildId]: channels } }));
  rt.joinChannels(channels);
  return channels;
}

export async function openGuild(guildId: number): Promise<void> {
  const s = getState();
  const tasks: Promise<unknown>[] = [loadMembers(guildId)];
  if (!s.emojis[guildId]) tasks.push(loadEmojis(guildId));
  if (!s.channels[guildId]) tasks.push(loadChannels(guildId));
  await Promise.all(tasks);
}

export async function loadMembers(guildId: number): Promise<void> {
  const members = await attempt(() => api.members(guildId));
  if (members) setState((s) => ({ members: { ...s.members, [guildId]: members } }));
}

export async function loadEmojis(guildId: number): Promise<void> {
  const [emojis, stickers] = await Promise.all([
    api.emojis(guildId).catch(() => []),
    api.stickers(guildId).catch(() => []),
  ]);
  setState((s) => ({ emojis: { ...s.emojis, [guildId]: emojis },
    stickers: { ...s.stickers, [guildId]: stickers } }));
}

export async function createGuild(name: string): Promise<void> {
  const g = await api.createGuild(name);
  setState((s) => ({ guilds: [...s.guilds.filter((x) => x.id !== g.id), g] }));
  rt.rejoinAll();
  navigate(channelPath(g.id));
}

export async function deleteGuild(id: number): Promise<void> {
  await api.deleteGuild(id);
  removeGuild(id);
}

export async function leaveGuild(id: number): Promise<void> {
  await api.leaveGuild(id);
  removeGuild(id);
}

export function removeGuild(id: number): void {
  setState((s) => ({ guilds: s.guilds.filter((g) => g.id !== id) }));
  const r = getState().route;
  if (r.name === "channels" && r.guildId === id) navigate("/", true);
}

export async function createChannel(guildId: number, name: string, type: string,
  categoryId?: number): Promise<Channel> {
  const c = await api.createChannel(guildId, { name, type,
    ...(categoryId ? { category_id: categoryId } : {}) });
  upsertChannel(c);
  return c;
}

export function upsertChannel(c: Channel): void {
  setState((s) => {
    const list = (s.channels[c.guild_id] ?? []).filter((x) => x.id !== c.id);
    list.push(c);
    list.sort((a, b) => a.position - b.position || a.id - b.id);
    return { channels: { ...s.channels, [c.guild_id]: list } };
  });
  rt.joinChannels([c]);
}

export function dropChannel(guildId: number, channelId: number): void {
  setState((s) => ({ channels: { ...s.channels,
    [guildId]: (s.channels[guildId] ?? []).filter((c) => c.id !== channelId) } }));
  if (currentChannelId() === channelId) navigate(channelPath(guildId), true);
}

export async function updateChannel(c: Channel, patch: Partial<Channel>): Promise<void> {
  upsertChannel(await api.updateChannel(c.id, patch));
}

export async function deleteChannel(c: Channel): Promise<void> {
  await api.deleteChannel(c.id);
  dropChannel(c.guild_id, c.id);
}

export async function joinInvite(code: string): Promise<void> {
  const r = await api.joinInvite(code);
  await loadGuilds();
  rt.rejoinAll();
  navigate(channelPath(r.guild_id));
}

// --- messages

export async function openChannel(channelId: number): Promise<void> {
  if (findChannel(channelId)?.type === "voice") return; // no history to read here
  const cur = getState().messages[channelId];
  readChannel(channelId);
  if (cur?.loaded) return;
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
  saveLastRead();
}

export async function loadOlder(channelId: number): Promise<void> {
  const cur = getState().messages[channelId];
  if (!cur || cur.loadingOlder || !cur.hasMoreBefore) return;
  const before = oldestStoredId(cur.items);
  if (before === undefined) return;
  patchChannel(channelId, () => ({ loadingOlder: true }));
  try {
    const items = await api.messages(channelId, { before, limit: PAGE });
    patchWindow(channelId, cur.window, (c) => ({ items: mergeMessages(c.items, items),
      loadingOlder: false, hasMoreBefore: items.length >= PAGE }));
  } catch (e) {
    patchWindow(channelId, cur.window, () => ({ loadingOlder: false }));
    showError(e);
  }
}

export async function loadNewer(channelId: number): Promise<void> {
  const cur = getState().messages[channelId];
  if (!cur || cur.loadingNewer || !cur.hasMoreAfter) return;
  const after = newestStoredId(cur.items);
  if (after === undefined) return;
  patchChannel(channelId, () => ({ loadingNewer: true }));
  try {
    const items = await api.messages(channelId, { after, limit: PAGE });
    patchWindow(channelId, cur.window, (c) => ({ items: mergeMessages(c.items, items),
      loadingNewer: false, hasMoreAfter: items.length >= PAGE }));
  } catch (e) {
    patchWindow(channelId, cur.window, () => ({ loadingNewer: false }));
    showError(e);
  }
}

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
  nonce = newNonce()): Promise<Message | undefined> {
  const me = getState().me!;
  const ch = findChannel(channelId);
  const pending: Message = {
    id: -(++pendingSeq), channel_id: channelId, guild_id: ch?.guild_id ?? 0, author_id: me.id,
    username: me.username, content, timestamp: new Date().toISOString(), nonce, pending: true,
    files, reactions: [],
  };
  patchChannel(channelId, (c) => ({ items: mergeMessages(c.items, [pending]) }));
  rt.stopTyping(channelId);
  try {
    const m = await api.send(channelId, content, files.map((f) => f.path), nonce);
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
  await sendMessage(m.channel_id, m.content, m.files ?? [], m.nonce ?? newNonce());
}

export function discardPending(m: Message): void {
  patchChannel(m.channel_id, (c) => ({ items: c.items.filter((x) => x.id !== m.id) }));
}

/** A stored message from REST or the socket: merged (deduplicated by id and nonce). */
export function receiveMessage(m: Message): void {
  const cur = getState().messages[m.channel_id];
  if (cur?.loaded && !cur.hasMoreAfter) {
    patchChannel(m.channel_id, (c) => ({ items: mergeMessages(c.items, [m]) }));
  }
  const mine = m.author_id === getState().me?.id;
  setState((s) => ({ unread: noteMessage(s.unread, m.channel_id, m.id, mine, isViewing(m.channel_id)) }));
  saveLastRead();
}

export function replaceMessage(m: Partial<Message> & { id: number }, channelId: number): void {
  patchChannel(channelId, (c) => ({ items: c.items.map((x) => (x.id === m.id ? { ...x, ...m } : x)) }));
  setState((s) => ({ pins: s.pins?.map((x) => (x.id === m.id ? { ...x, ...m } : x)) ?? null }));
}

export function removeMessage(id: number, channelId: number): void {
  patchChannel(channelId, (c) => ({ items: c.items.filter((x) => x.id !== id) }));
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

// --- polls

export async function createPoll(channelId: number, question: string, options: string[],
  allowMultiple: boolean, hours: number): Promise<void> {
  const m = await sendMessage(channelId, question);
  if (!m) return;
  const poll = await api.createPoll(m.id, { question, options, allow_multiple: allowMultiple,
    expires_hours: hours });
  replaceMessage({ id: m.id, poll: { ...poll, user_votes: [] } }, channelId);
}

const pollVotesAsked = new Set<string>();

/** The poll as the caller sees it (with user_votes), fetched once per poll. */
export async function ensureMyVotes(m: Message): Promise<void> {
  if (!m.poll || m.poll.user_votes || pollVotesAsked.has(m.poll.id)) return;
  pollVotesAsked.add(m.poll.id);
  try {
    const p = await api.poll(m.id);
    mergePoll(m.channel_id, m.id, p);
  } catch { /* the poll still shows, without our marks */ }
}

export function mergePoll(channelId: number, messageId: number, p: Poll): void {
  patchChannel(channelId, (c) => ({ items: c.items.map((x) => {
    if (x.id !== messageId) return x;
    return { ...x, poll: { ...p, user_votes: p.user_votes ?? x.poll?.user_votes } };
  }) }));
}

export async function vote(m: Message, optionId: string): Promise<void> {
  const p = m.poll!;
  const mine = p.user_votes ?? [];
  let votes: string[];
  if (p.allow_multiple) votes = mine.includes(optionId) ? mine : [...mine, optionId];
  else votes = [optionId];
  const updated = await attempt(() => api.vote(p.id, optionId));
  if (updated) mergePoll(m.channel_id, m.id, { ...updated, user_votes: updated.user_votes ?? votes });
}

export async function unvote(m: Message): Promise<void> {
  const updated = await attempt(() => api.unvote(m.poll!.id));
  if (updated && typeof updated === "object" && "options" in updated) {
    mergePoll(m.channel_id, m.id, { ...updated, user_votes: [] });
  }
}

// --- search

let searchSeq = 0;
export async function search(q: string): Promise<void> {
  const seq = ++searchSeq;
  setState({ panel: "search", search: { q, results: null, loading: true } });
  try {
    const results = await api.search(q);
    if (seq === searchSeq) setState({ search: { q, results, loading: false } });
  } catch (e) {
    if (seq === searchSeq) setState({ search: { q, results: [], loading: false } });
    showError(e);
  }
}

// --- friends

export async function loadFriends(): Promise<void> {
  const f = await attempt(() => api.friends());
  if (f) setState({ friends: f });
}

// --- gap filling after a reconnect

/**
 * After a reconnect: the open channel's window is re-read (deletes and edits made while
 * we were away show), other loaded channels fetch what they missed (for unread marks)
 * and are then dropped, so opening one reads it afresh.
 */
export async function fillGaps(): Promise<void> {
  const { messages } = getState();
  const open = currentChannelId();
  await Promise.all(Object.entries(messages).map(async ([key, c]) => {
    const channelId = Number(key);
    if (!c.loaded || c.hasMoreAfter) return;
    if (channelId === open) {
      await reloadOpenWindow(channelId);
      return;
    }
    const after = newestStoredId(c.items);
    if (after !== undefined) await fillChannelGap(channelId, after);
    if (currentChannelId() !== channelId) {
      setState((s) => ({ messages: { ...s.messages, [channelId]: emptyChannel() } }));
    }
  }));
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

export function findChannel(channelId: number): Channel | undefined {
  for (const list of Object.values(getState().channels)) {
    const c = list.find((x) => x.id === channelId);
    if (c) return c;
  }
  return undefined;
}
