// Read state over the wire (docs/API.md section 16): the list at sign-in and after a
// reconnect, acks when the reader's position moves, `read_state_updated` from the
// user's other tabs. The unread marks themselves are pure (src/readstates.ts).
import { api } from "../api";
import { applyServer, enterChannel, pendingAcks } from "../readstates";
import { getState, setState } from "../store";
import type { ReadState } from "../types";
import { Changes, freshRead } from "./common";

/** What the server holds as read, per channel: acks go out only past it. */
let acked: Record<number, number> = {};
/** The server's list has been read since sign-in (see `pendingAcks`). */
let listed = false;
let timer: ReturnType<typeof setTimeout> | undefined;
let loadSeq = 0;
// Messages that came over the socket: a list read under way meanwhile may predate
// them (counted twice, or a message it already holds no longer counted), so it is
// read again. One key: the list covers every channel.
const liveMessages = new Changes<0>();

/** A message came over the socket (its unread bookkeeping is done by the caller). */
export function noteLiveMessage(): void {
  liveMessages.bump(0);
}
export const ACK_DELAY_MS = 250;

function openChannelId(): number | undefined {
  const r = getState().route;
  return r.name === "channels" ? r.channelId : undefined;
}

function visible(): boolean {
  return typeof document === "undefined" || document.visibilityState === "visible";
}

function noteAcked(entries: ReadState[]): void {
  for (const e of entries) acked[e.channel_id] = Math.max(acked[e.channel_id] ?? 0, e.last_read_id);
}

/** `GET /api/users/@me/read-states`: the server's positions replace what the socket's
 *  room history seeded; the channel on screen is then read (and acked). */
export async function loadReadStates(): Promise<void> {
  const seq = ++loadSeq;
  const entries = await freshRead(liveMessages, 0, () => api.readStates().catch(() => undefined));
  // Without an answer the unread marks stay as the socket made them; the next
  // reconnect reads again.
  if (!entries || seq !== loadSeq || !getState().me) return;
  acked = {};
  listed = true;
  noteAcked(entries);
  setState((s) => ({ unread: applyServer(s.unread, entries, true) }));
  const open = openChannelId();
  if (open !== undefined && visible()) enter(open);
}

/** The reader is now looking at a channel: divider placed, channel read, ack sent. */
export function enter(channelId: number): void {
  setState((s) => ({ unread: enterChannel(s.unread, channelId) }));
  scheduleAcks();
}

/** `read_state_updated` (another tab or device acked or sent). */
export function onReadStateUpdated(e: ReadState): void {
  if (!e || typeof e.channel_id !== "number") return;
  noteAcked([e]);
  setState((s) => ({ unread: applyServer(s.unread, [e], false) }));
}

/** Sends, shortly after the last change, an ack for every channel read past the server. */
export function scheduleAcks(): void {
  clearTimeout(timer);
  timer = setTimeout(() => void flushAcks(), ACK_DELAY_MS);
}

export async function flushAcks(): Promise<void> {
  const todo = pendingAcks(getState().unread, acked, listed);
  await Promise.all(todo.map(async ([channelId, messageId]) => {
    acked[channelId] = messageId; // one ack in flight per position
    try {
      const e = await api.ack(channelId, messageId);
      onReadStateUpdated(e);
    } catch {
      /* the channel is gone or out of sight: nothing to keep in step */
    }
  }));
}

/** Signing out: nothing of this user is kept. */
export function resetReadStates(): void {
  acked = {};
  listed = false;
  loadSeq++;
  clearTimeout(timer);
}
