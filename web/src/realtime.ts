// The Socket.IO side: the session cookie authenticates the handshake (same origin),
// channel rooms are joined for every text channel, and after a drop the client
// reconnects by itself and `resume`s every room it was in (contract section 18): the
// server replays what it missed; only rooms answering `resync_required` reload over REST.
import type { Socket } from "socket.io-client";
import { findChannel } from "./actions/common";
import { getState, setState } from "./store";
import type { Channel } from "./types";
import { type ResumeAnswer, SeqTracker } from "./resume";

/**
 * What the socket's events do, supplied by actions/live.ts (the socket layer knows no
 * domain: that keeps actions -> realtime one way).
 */
export interface Live {
  /** Binds the channel, guild and friend events to a new socket (after addBinder's). */
  bind(s: Socket): void;
  /** Connected: the first time (`again` false) or after a drop. */
  connected(again: boolean): void;
  /** The server cannot replay a room: read it again over REST. */
  resync(channelId: number): void;
  /** The resume was refused as a whole: every loaded channel is read again. */
  resumeRefused(): void;
  /** A refused handshake: ask REST whether the session still holds. */
  checkSession(): void;
}

let live: Live | null = null;

export function setLive(l: Live): void {
  live = l;
}

let socket: Socket | null = null;
let everConnected = false;
const joined = new Set<number>();
const seqs = new SeqTracker();
const typingSentAt: Record<number, number> = {};

export const TYPING_EVERY_MS = 3000;
export const TYPING_TTL_MS = 6000;
/** Joins per connection: each costs one of the user's socket events a minute. */
export const MAX_JOINS = 50;

/** A guild channel's room, or `dm:<id>` for a DM (kept under guild 0). */
export const room = (guildId: number, channelId: number) =>
  (guildId ? `g:${guildId}:c:${channelId}` : `dm:${channelId}`);

export function channelOfRoom(r: unknown): number | undefined {
  const m = typeof r === "string" ? /^(?:g:\d+:c:|dm:)(\d+)$/.exec(r) : null;
  return m ? Number(m[1]) : undefined;
}

let generation = 0;
let loading = false;

/** Connects; the Socket.IO library is fetched on first use (a third of the first
 * load's script otherwise), and messages show over REST meanwhile. */
export function connect(): void {
  if (socket || loading) return;
  everConnected = false;
  setState({ connection: "connecting" });
  const gen = ++generation;
  loading = true;
  import("socket.io-client").then(({ io }) => {
    loading = false;
    if (gen === generation) open(io);
  }, () => {
    loading = false;
    if (gen === generation) setState({ connection: "offline" });
  });
}

function open(io: typeof import("socket.io-client").io): void {
  const s = io({ path: "/socket.io/", withCredentials: true, reconnectionDelay: 500,
    reconnectionDelayMax: 3000 });
  socket = s;
  s.on("connect", () => {
    const again = everConnected;
    everConnected = true;
    setState({ connection: "connected" });
    live?.connected(again);
    if (again) resumeAll(s);
    else rejoinAll();
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
  for (const b of binders) b(s);
  live?.bind(s);
}

type Binder = (s: Socket) => void;
const binders: Binder[] = [];

/** Handlers of other modules (roles, moderation, profiles), bound to every socket before ours. */
export function addBinder(b: Binder): void {
  binders.push(b);
  if (socket) b(socket);
}

/** The server took us out of these rooms (VIEW_CHANNEL lost): a later join must be sent again. */
export function forgetChannels(ids: Iterable<number>): void {
  for (const id of ids) joined.delete(id);
}

let lastCheck = 0;
/** A refused handshake may mean the session ended elsewhere: ask REST, which signs out on 401. */
function checkSession(): void {
  const now = Date.now();
  if (now - lastCheck < 10_000) return;
  lastCheck = now;
  live?.checkSession();
}

export function disconnect(): void {
  generation++; // a connect still fetching the library is dropped
  loading = false;
  socket?.disconnect();
  socket = null;
  joined.clear();
  seqs.clear();
  everConnected = false;
}

function roomOfChannel(channelId: number): string | undefined {
  const c = findChannel(channelId);
  return c && c.guild_id ? room(c.guild_id, c.id) : undefined;
}

/** After a reconnect: resume the rooms we hold a number of, reload those the server
 * cannot replay, then join the rest as usual. */
function resumeAll(s: Socket): void {
  joined.clear();
  const rooms = seqs.rooms(roomOfChannel);
  if (Object.keys(rooms).length === 0) {
    rejoinAll();
    return;
  }
  for (const r of Object.keys(rooms)) {
    const cid = channelOfRoom(r);
    if (cid !== undefined) joined.add(cid);
  }
  s.emit("resume", { rooms }, (ack: { ok?: boolean; rooms?: Record<string, ResumeAnswer> }) => {
    if (!ack?.ok || !ack.rooms) {
      // Refused as a whole (rate limit...): the old way, join and reload.
      joined.clear();
      rejoinAll();
      live?.resumeRefused();
      return;
    }
    for (const [r, answer] of Object.entries(ack.rooms)) {
      const cid = channelOfRoom(r);
      if (cid === undefined) continue;
      if (answer.status === "resync_required") live?.resync(cid);
      else if (answer.status === "error") {
        joined.delete(cid);
        seqs.drop(cid);
      }
    }
    rejoinAll(false);
  });
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

export function rejoinAll(fresh = true): void {
  if (fresh) joined.clear();
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
  const c = findChannel(channelId);
  if (c && socket?.connected) socket.emit("stop_typing", { room: room(c.guild_id, channelId) });
}

export function setTyping(channelId: number, username: string, on: boolean): void {
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

export function guildIdOf(data: Record<string, unknown>): number | undefined {
  const g = data.guild_id ?? (data.guild as { id?: number } | undefined)?.id;
  return typeof g === "number" ? g : undefined;
}

export function channelIdOf(data: { room?: unknown; channel_id?: unknown }): number | undefined {
  return typeof data.channel_id === "number" ? data.channel_id : channelOfRoom(data.room);
}

/** A numbered channel event is applied once: a replay may overlap the live stream. */
export function once<T extends { seq?: number; room?: string; channel_id?: number }>(
  handler: (d: T) => void): (d: T) => void {
  return (d: T) => {
    const cid = d ? channelIdOf(d) : undefined;
    if (cid !== undefined && !seqs.take(cid, d.seq)) return;
    handler(d);
  };
}

/** A room's number from the answers to join and resume (section 18). */
export function bindRoomAnswers(s: Socket): void {
  const answer = (d: { room?: string; seq?: number }) => {
    const cid = channelOfRoom(d?.room);
    if (cid !== undefined) seqs.set(cid, d.seq);
  };
  s.on("joined_room", answer);
  s.on("resumed", answer);
  s.on("resync_required", answer);
}
