// Direct messages and group DMs (docs/API.md section 15).
//
// A DM channel lives in the store like a guild's channel, under the key DM_GUILD (0)
// of `channels`, so the chat pane, composer, message list, unread marks and the tab
// title work on it unchanged; its room is `dm:<id>` (realtime.room). The server
// delivers a DM's events to every recipient's sockets without joining, so nothing
// here joins rooms.
import type { Socket } from "socket.io-client";
import { api } from "./api";
import { attempt, currentChannelId, showError } from "./actions/common";
import { navigate } from "./nav";
import { channelPath } from "./router";
import { getState, setState, subscribe } from "./store";
import type { Channel, Message } from "./types";
import { seed } from "./unread";

export const DM_GUILD = 0;

export interface DmUser {
  id: number;
  username: string;
  display_name?: string | null;
  avatar?: string | null;
}

/** The server's DM channel shape. */
export interface DmChannel {
  id: number;
  type: "dm" | "group_dm";
  name: string | null;
  owner_id: number | null;
  recipients: DmUser[];
  last_message_id: number;
  last_activity_at?: string;
  guild_id: null;
}

/** A DM as the store keeps it: a Channel (named for display) with the DM's fields. */
export type DmEntry = Channel & {
  type: "dm" | "group_dm";
  /** The group's own name (null when unnamed); `name` is what is shown. */
  group_name: string | null;
  owner_id: number | null;
  recipients: DmUser[];
  last_message_id: number;
  last_activity_at?: string;
};

const shown = (u: DmUser) => u.display_name || u.username;

/** Someone who is in one of the viewer's DMs, by id. */
export function dmPerson(dms: Pick<DmEntry, "recipients">[] | undefined, id: number): DmUser | undefined {
  for (const d of dms ?? []) {
    const u = d.recipients.find((x) => x.id === id);
    if (u) return u;
  }
  return undefined;
}

/** What a DM is called for the viewer: the group's name, else the others' names. */
export function dmTitle(dm: Pick<DmChannel, "name" | "recipients">, meId?: number): string {
  if (dm.name) return dm.name;
  const others = dm.recipients.filter((u) => u.id !== meId);
  return (others.length ? others : dm.recipients).map(shown).join(", ") || "…";
}

export function toEntry(dm: DmChannel, meId?: number): DmEntry {
  return {
    id: dm.id, name: dmTitle(dm, meId), group_name: dm.name, type: dm.type, guild_id: DM_GUILD,
    position: 0,
    owner_id: dm.owner_id, recipients: dm.recipients, last_message_id: dm.last_message_id,
    last_activity_at: dm.last_activity_at,
  };
}

/** Most recent activity first, as the server orders them. */
export function byActivity(a: DmEntry, b: DmEntry): number {
  return b.last_message_id - a.last_message_id || b.id - a.id;
}

export function dmList(): DmEntry[] {
  return (getState().channels[DM_GUILD] ?? []) as DmEntry[];
}

function setList(list: DmEntry[]): void {
  setState((s) => ({ channels: { ...s.channels, [DM_GUILD]: [...list].sort(byActivity) } }));
}

function upsert(dm: DmChannel): void {
  const entry = toEntry(dm, getState().me?.id);
  setList([...dmList().filter((c) => c.id !== dm.id), entry]);
  // Unread marks start where the channel is now: opening the list lights nothing up
  // that was read before (the last-read marks are kept per user across reloads).
  if (dm.last_message_id) setState((s) => ({ unread: seed(s.unread, dm.id, dm.last_message_id) }));
}

function drop(channelId: number): void {
  setList(dmList().filter((c) => c.id !== channelId));
  if (currentChannelId() === channelId) navigate("/channels/@me", true);
}

export async function loadDms(): Promise<void> {
  const list = await attempt(() => api.dmChannels());
  if (!list) return;
  const me = getState().me?.id;
  setList(list.map((d) => toEntry(d, me)));
  setState((s) => {
    let unread = s.unread;
    for (const d of list) if (d.last_message_id) unread = seed(unread, d.id, d.last_message_id);
    return { unread };
  });
}

/** Opens (creating on first use) the DM with a user and shows it. */
export async function messageUser(userId: number): Promise<void> {
  try {
    const dm = await api.openDm(userId);
    upsert(dm);
    navigate(channelPath(DM_GUILD, dm.id));
  } catch (e) {
    showError(e);
  }
}

export async function createGroup(userIds: number[]): Promise<DmChannel | undefined> {
  try {
    const dm = await api.openGroupDm(userIds);
    upsert(dm);
    navigate(channelPath(DM_GUILD, dm.id));
    return dm;
  } catch (e) {
    showError(e);
    return undefined;
  }
}

export async function renameGroup(channelId: number, name: string): Promise<void> {
  const dm = await attempt(() => api.renameDm(channelId, name));
  if (dm) upsert(dm);
}

export async function addToGroup(channelId: number, userId: number): Promise<void> {
  const dm = await attempt(() => api.addDmRecipient(channelId, userId));
  if (dm) upsert(dm);
}

export async function leaveGroup(channelId: number): Promise<void> {
  const me = getState().me?.id;
  if (me === undefined) return;
  const done = await attempt(() => api.removeDmRecipient(channelId, me));
  if (done) drop(channelId);
}

/** A message in a DM moves it to the top of the list. */
function noteActivity(m: Message): void {
  if (m.guild_id !== null) return;
  const cur = dmList().find((c) => c.id === m.channel_id);
  if (!cur) {
    void loadDms(); // a DM we have not seen yet (made while this tab was away)
    return;
  }
  if (m.id <= cur.last_message_id) return;
  setList(dmList().map((c) => (c.id === m.channel_id
    ? { ...c, last_message_id: m.id, last_activity_at: m.timestamp } : c)));
}

// DMs opened on this connection. Their events arrive without joining, but joining
// answers `messages_history`, read after the server put the socket in the room: it
// closes the gap between the REST page and a message sent while it loaded, as for
// guild channels (actions.receiveHistory).
const joinedDms = new Set<number>();
let current: Socket | null = null;
let watching = false;

function joinOpenDm(): void {
  const s = current;
  const r = getState().route;
  if (!s) return;
  if (r.name !== "channels" || r.guildId !== DM_GUILD || r.channelId === undefined) return;
  if (!s.connected || joinedDms.has(r.channelId)) return;
  joinedDms.add(r.channelId);
  s.emit("join_room", { room: `dm:${r.channelId}` });
}

/** DM events; the list is read afresh on every (re)connect. */
export function bindDms(s: Socket): void {
  current = s;
  if (!watching) {
    watching = true;
    subscribe(joinOpenDm);
  }
  s.on("connect", () => {
    joinedDms.clear();
    joinOpenDm();
    void loadDms();
  });
  s.on("dm_channel_created", (d: DmChannel) => { if (d && typeof d.id === "number") upsert(d); });
  s.on("dm_channel_updated", (d: DmChannel) => { if (d && typeof d.id === "number") upsert(d); });
  s.on("dm_channel_deleted", (d: { id?: unknown }) => {
    if (typeof d?.id === "number") drop(d.id);
  });
  s.on("new_message", noteActivity);
}

/** Unread DM channels, for the home button's badge. */
export function unreadDms(latest: Record<number, number>, lastRead: Record<number, number>,
  list: DmEntry[]): number {
  return list.filter((c) => (latest[c.id] ?? 0) > (lastRead[c.id] ?? latest[c.id] ?? 0)).length;
}
