// Guilds, their channels, members, emojis and invites.
import { api } from "../api";
import { navigate } from "../nav";
import * as rt from "../realtime";
import { loadRoles } from "../roles";
import { channelPath } from "../router";
import { getState, setState } from "../store";
import type { Channel } from "../types";
import { attempt, Changes, currentChannelId, freshRead, shared } from "./common";

export async function loadGuilds(): Promise<void> {
  const guilds = await attempt(() => api.guilds());
  if (!guilds) return;
  setState({ guilds, guildsLoaded: true });
  await Promise.all(guilds.map((g) => loadChannels(g.id)));
}

/** A guild's channels; a read already under way is shared, not sent twice. */
export const loadChannels = shared(readChannels);

// A list read under way while the list changed here (a create, a live event) is
// read again rather than allowed to put back the list as it was.
const channelChanges = new Changes<number>();

async function readChannels(guildId: number): Promise<Channel[] | undefined> {
  const channels = await freshRead(channelChanges, guildId, () => attempt(() => api.channels(guildId)));
  if (!channels) return undefined;
  channels.sort((a, b) => a.position - b.position || a.id - b.id);
  setState((s) => ({ channels: { ...s.channels, [guildId]: channels } }));
  rt.joinChannels(channels);
  return channels;
}

/** A guild on screen: its members, roles, emojis and (once) channels. Opening it again
 * while that is under way shares the requests. */
export const openGuild = shared(readGuild);

async function readGuild(guildId: number): Promise<void> {
  const s = getState();
  const tasks: Promise<unknown>[] = [loadMembers(guildId), loadRoles(guildId)];
  if (!s.emojis[guildId]) tasks.push(loadEmojis(guildId));
  if (!s.channels[guildId]) tasks.push(loadChannels(guildId));
  await Promise.all(tasks);
}

export async function loadMembers(guildId: number): Promise<void> {
  const members = await attempt(() => api.members(guildId));
  if (members) setState((s) => ({ members: { ...s.members, [guildId]: members } }));
}

/** Roles name role mentions and fill the autocomplete; any member may read them. */
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
  // The API makes a bare server (section 5); one made here starts with #general, as
  // people expect. Should that fail, the server is still there, only empty.
  const general = await api.createChannel(g.id, { name: "general", type: "text" }).catch(() => null);
  setState((s) => ({ guilds: [...s.guilds.filter((x) => x.id !== g.id), g],
    ...(general ? { channels: { ...s.channels, [g.id]: [general] } } : {}) }));
  rt.rejoinAll();
  navigate(channelPath(g.id, general?.id));
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
  channelChanges.bump(c.guild_id);
  setState((s) => {
    const list = (s.channels[c.guild_id] ?? []).filter((x) => x.id !== c.id);
    list.push(c);
    list.sort((a, b) => a.position - b.position || a.id - b.id);
    return { channels: { ...s.channels, [c.guild_id]: list } };
  });
  rt.joinChannels([c]);
}

export function dropChannel(guildId: number, channelId: number): void {
  channelChanges.bump(guildId);
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
