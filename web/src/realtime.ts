// The Socket.IO side: the session cookie authenticates the handshake (same origin),
// channel rooms are joined for every text channel, and after a drop the client
// reconnects by itself and fills what it missed through REST's `after` cursor.
import { io, type Socket } from "socket.io-client";
import * as actions from "./actions";
import { applyReaction } from "./gaps";
import { getState, patchChannel, setState } from "./store";
import type { Channel, Message, Poll } from "./types";
import { seed } from "./unread";

let socket: Socket | null = null;
let everConnected = false;
const joined = new Set<number>();
const typingSentAt: Record<number, number> = {};

export const TYPING_EVERY_MS = 3000;
export const TYPING_TTL_MS = 6000;
/** Joins per connection: each costs one of the user's socket events a minute. */
export const MAX_JOINS = 50;

export const room = (guildId: number, channelId: number) => `g:${guildId}:c:${channelId}`;

export function channelOfRoom(r: unknown): number | undefined {
  const m = typeof r === "string" ? /^g:\d+:c:(\d+)$/.exec(r) : null;
  return m ? Number(m[1]) : undefined;
}

export function connect(): void {
  if (socket) return;
  everConnected = false;
  setState({ connection: "connecting" });
  const s = io({ path: "/socket.io/", withCredentials: true, reconnectionDelay: 500,
    reconnectionDelayMax: 3000 });
  socket = s;
  s.on("connect", () => {
    const again = everConnected;
    everConnected = true;
    setState({ connection: "connected" });
    rejoinAll();
    if (again) {
      // Whatever changed while we were away: new guilds or channels, friends, messages.
      void actions.loadGuilds();
      void actions.loadFriends();
      void actions.fillGaps();
    }
  });
  s.on("disconnect", (reason) => {
    setState({ connection: "offline" });
    // The server ended it (logout elsewhere, or restart): ask again; a dead session
    // makes the next REST call sign the user out.
    if (reason === "io server disconnect") setTimeout(() => socket === s && s.connect(), 1000);
  });
  s.on("connect_error", () => {
    setState({ connection: "offline" });
    checkSession();
  });
  bind(s);
}

let lastCheck = 0;
/** A refused handshake may mean the session ended elsewhere: ask REST, which signs out on 401. */
function checkSession(): void {
  const now = Date.now();
  if (now - lastCheck < 10_000) return;
  lastCheck = now;
  void actions.checkSession();
}

export function disconnect(): void {
  socket?.disconnect();
  socket = null;
  joined.clear();
  everConnected = false;
}

/** The browser knows the network went away long before a ping times out. */
if (typeof window !== "undefined") {
  window.addEventListener("offline", () => {
    if (socket?.connected) socket.io.engine?.close();
  });
  window.addEventListener("online", () => {
    if (socket && !socket.connected && !(socket.io as unknown as { _reconnecting?: boolean })._reconnecting) socket.connect();
  });
}

export function rejoinAll(): void {
  joined.clear();
  const s = getState();
  const current = s.route.name === "channels" ? s.route.guildId : undefined;
  const guilds = [...s.guilds].sort((a, b) => (a.id === current ? -1 : b.id === current ? 1 : 0));
  joinChannels(guilds.flatMap((g) => s.channels[g.id] ?? []));
}

export function joinChannels(channels: Channel[]): void {
  if (!socket?.connected) return;
  for (const c of channels) {
    if (c.type !== "text" || joined.has(c.id) || joined.size >= MAX_JOINS) continue;
    joined.add(c.id);
    socket.emit("join_room", { room: room(c.guild_id, c.id) });
  }
}

export function typing(channelId: number, guildId: number): void {
  const now = Date.now();
  if (!socket?.connected || now - (typingSentAt[channelId] ?? 0) < TYPING_EVERY_MS) return;
  typingSentAt[channelId] = now;
  socket.emit("typing", { room: room(guildId, channelId) });
}

export function stopTyping(channelId: number): void {
  if (!typingSentAt[channelId]) return;
  typingSentAt[channelId] = 0;
  const c = actions.findChannel(channelId);
  if (c && socket?.connected) socket.emit("stop_typing", { room: room(c.guild_id, channelId) });
}

function setTyping(channelId: number, username: string, on: boolean): void {
  if (username === getState().me?.username) return;
  setState((s) => {
    const cur = { ...(s.typing[channelId] ?? {}) };
    if (on) cur[username] = Date.now() + TYPING_TTL_MS;
    else delete cur[username];
    return { typing: { ...s.typing, [channelId]: cur } };
  });
  if (on) setTimeout(expireTyping, TYPING_TTL_MS + 50);
}

function expireTyping(): void {
  const now = Date.now();
  setState((s) => {
    const typing: typeof s.typing = {};
    for (const [cid, users] of Object.entries(s.typing)) {
      typing[Number(cid)] = Object.fromEntries(Object.entries(users).filter(([, exp]) => exp > now));
    }
    return { typing };
  });
}

function guildIdOf(data: Record<string, unknown>): number | undefined {
  const g = data.guild_id ?? (data.guild as { id?: number } | undefined)?.id;
  return typeof g === "number" ? g : undefined;
}

function channelIdOf(data: { room?: unknown; channel_id?: unknown }): number | undefined {
  return typeof data.channel_id === "number" ? data.channel_id : channelOfRoom(data.room);
}

function bind(s: Socket): void {
  s.on("messages_history", (msgs: Message[]) => {
    if (!Array.isArray(msgs) || msgs.length === 0) return;
    const channelId = msgs[0].channel_id;
    const newest = Math.max(...msgs.map((m) => m.id));
    setState((st) => ({ unread: seed(st.unread, channelId, newest) }));
    actions.receiveHistory(channelId, msgs);
  });
  s.on("new_message", (m: Message) => {
    actions.receiveMessage(m);
    setTyping(m.channel_id, m.username, false);
  });
  s.on("message_edited", (d: Partial<Message> & { id: number; room?: string }) => {
    const cid = channelIdOf(d);
    if (cid === undefined) return;
    const { room: _room, ...msg } = d;
    actions.replaceMessage(msg, cid);
  });
  s.on("message_deleted", (d: { id: number; room?: string; channel_id?: number }) => {
    const cid = channelIdOf(d);
    if (cid !== undefined) actions.removeMessage(d.id, cid);
  });
  const reaction = (added: boolean) => (d: { message_id: number; emoji: string;
    username: string; room: string }) => {
    const cid = channelOfRoom(d.room);
    if (cid === undefined) return;
    patchChannel(cid, (c) => ({ items: c.items.map((m) =>
      (m.id === d.message_id ? applyReaction(m, d.emoji, d.username, added) : m)) }));
  };
  s.on("reaction_added", reaction(true));
  s.on("reaction_removed", reaction(false));
  const pin = (pinned: boolean) => (d: { message_id: number; room: string }) => {
    const cid = channelOfRoom(d.room);
    if (cid === undefined) return;
    actions.replaceMessage({ id: d.message_id, pinned }, cid);
    if (getState().panel === "pins" && actions.currentChannelId() === cid) void actions.loadPins(cid);
  };
  s.on("message_pinned", pin(true));
  s.on("message_unpinned", pin(false));
  s.on("poll_updated", (d: Poll & { message_id: number; room?: string; channel_id?: number }) => {
    const cid = channelIdOf(d);
    if (cid === undefined) return;
    const { message_id, room: _room, channel_id: _c, ...poll } = d;
    actions.mergePoll(cid, message_id, { ...poll, user_votes: undefined });
  });
  s.on("user_typing", (d: { username: string; room: string }) => {
    const cid = channelOfRoom(d.room);
    if (cid !== undefined) setTyping(cid, d.username, true);
  });
  s.on("user_stopped_typing", (d: { username: string; room: string }) => {
    const cid = channelOfRoom(d.room);
    if (cid !== undefined) setTyping(cid, d.username, false);
  });
  s.on("channel_created", (c: Channel) => {
    if (c && typeof c.id === "number" && c.guild_id) actions.upsertChannel(c);
  });
  s.on("channel_updated", (c: Channel) => {
    if (c && typeof c.id === "number" && c.guild_id) actions.upsertChannel(c);
  });
  s.on("channel_deleted", (d: { id: number; guild_id?: number }) => {
    const c = actions.findChannel(d.id);
    const gid = d.guild_id ?? c?.guild_id;
    if (gid) actions.dropChannel(gid, d.id);
  });
  s.on("guild_deleted", (d: { id?: number; guild_id?: number }) => {
    const id = d.guild_id ?? d.id;
    if (typeof id === "number") actions.removeGuild(id);
  });
  // Custom emojis and stickers: a guild's lists, once loaded, follow the owner's changes.
  const asset = (kind: "emojis" | "stickers", added: boolean) =>
    (d: { id?: unknown; guild_id?: unknown }) => {
      const gid = d?.guild_id;
      if (typeof gid !== "number" || typeof d.id !== "string") return;
      setState((st) => {
        const list = st[kind][gid] as { id: string }[] | undefined;
        if (!list) return {}; // not loaded: opening the guild reads it whole
        const rest = list.filter((x) => x.id !== d.id);
        return { [kind]: { ...st[kind], [gid]: added ? [...rest, d] : rest } };
      });
    };
  s.on("emoji_created", asset("emojis", true));
  s.on("emoji_deleted", asset("emojis", false));
  s.on("sticker_created", asset("stickers", true));
  s.on("sticker_deleted", asset("stickers", false));
  const members = (d: Record<string, unknown>) => {
    const gid = guildIdOf(d);
    if (gid === undefined) return;
    const me = getState().me;
    if (d.user_id === me?.id || d.username === me?.username) void actions.loadGuilds();
    void actions.loadMembers(gid);
  };
  s.on("member_joined", members);
  s.on("member_left", members);
  // Kicked or banned: the server already took this user's sockets out of the guild.
  s.on("guild_removed", (d: { guild_id?: number }) => {
    if (typeof d.guild_id === "number") actions.removeGuild(d.guild_id);
  });
  s.on("member_updated", (d: Record<string, unknown>) => {
    const gid = guildIdOf(d);
    if (gid !== undefined) void actions.loadMembers(gid);
  });
  // Every friend_* event (request, accepted, removed, declined, cancelled): refetch the
  // lists, which is one small call and cannot drift from the server.
  s.onAny((ev: string) => {
    if (ev.startsWith("friend_")) void actions.loadFriends();
  });
  s.on("presence_update", (d: { username: string; status: "online" | "offline" }) => {
    setState((st) => ({ presence: { ...st.presence, [d.username]: d.status } }));
  });
}
