// Roles, the viewer's permissions and the guild/member shapes that change under them:
// store updates and the selectors the screens use to hide what the viewer may not do.
import { gov } from "./govapi";
import {
  ALL, basePermissions, channelPermissions, has, type PermName,
} from "./perms";
import { getState, setState, useStore, type State } from "./store";
import type { Channel, Guild, Member, Role, User } from "./types";

export async function loadRoles(guildId: number): Promise<void> {
  try {
    const roles = await gov.roles(guildId);
    setState((s) => ({ roles: { ...s.roles, [guildId]: roles } }));
  } catch { /* not a member any more, or offline: the guild's screens stay as they were */ }
}

export function upsertRole(role: Role): void {
  setState((s) => {
    const list = s.roles[role.guild_id];
    if (!list) return {}; // not loaded: opening the guild reads them
    return { roles: { ...s.roles, [role.guild_id]: [...list.filter((r) => r.id !== role.id), role]
      .sort((a, b) => a.position - b.position) } };
  });
}

export function dropRole(guildId: number, roleId: number): void {
  setState((s) => ({
    roles: { ...s.roles, [guildId]: (s.roles[guildId] ?? []).filter((r) => r.id !== roleId) },
    members: { ...s.members, [guildId]: (s.members[guildId] ?? []).map((m) =>
      (m.roles?.includes(roleId) ? { ...m, roles: m.roles.filter((x) => x !== roleId) } : m)) },
  }));
}

export function upsertMember(guildId: number, m: Member): void {
  setState((s) => {
    const list = s.members[guildId];
    if (!list) return {};
    return { members: { ...s.members, [guildId]: list.map((x) => (x.id === m.id ? { ...x, ...m } : x)) } };
  });
}

export function upsertGuild(g: Guild): void {
  setState((s) => ({ guilds: s.guilds.map((x) => (x.id === g.id ? { ...x, ...g } : x)) }));
}

/** `user_updated` and our own PUT /api/me: the name and avatar everywhere we hold them. */
export function applyUser(u: Pick<User, "id"> & Partial<User>): void {
  const patch = {
    ...(u.username !== undefined ? { username: u.username } : {}),
    ...(u.display_name !== undefined ? { display_name: u.display_name } : {}),
    ...(u.avatar !== undefined ? { avatar: u.avatar } : {}),
  };
  setState((s) => {
    const members: State["members"] = {};
    for (const [gid, list] of Object.entries(s.members)) {
      members[Number(gid)] = list.some((m) => m.id === u.id)
        ? list.map((m) => (m.id === u.id ? { ...m, ...patch } : m)) : list;
    }
    return { members, me: s.me && s.me.id === u.id ? { ...s.me, ...patch } : s.me };
  });
}

// --- the viewer's permissions

export function myMember(s: State, guildId: number): Member | undefined {
  return s.members[guildId]?.find((m) => m.id === s.me?.id);
}

/** Roles and our own member row are loaded (the owner needs neither). */
export function permsKnown(s: State, guildId: number): boolean {
  const g = s.guilds.find((x) => x.id === guildId);
  if (g && g.owner_id === s.me?.id) return true;
  return !!s.roles[guildId] && !!myMember(s, guildId);
}

export function guildPerms(s: State, guildId: number): bigint {
  const g = s.guilds.find((x) => x.id === guildId);
  if (!g || !s.me) return 0n;
  if (g.owner_id === s.me.id) return ALL;
  return basePermissions(g, myMember(s, guildId), s.roles[guildId] ?? []);
}

export function channelPerms(s: State, guildId: number, channel: Channel | undefined): bigint {
  const g = s.guilds.find((x) => x.id === guildId);
  if (!g || !s.me) return 0n;
  if (!channel) return guildPerms(s, guildId);
  if (g.owner_id === s.me.id) return ALL;
  return channelPermissions(g, myMember(s, guildId), s.roles[guildId] ?? [], channel);
}

/**
 * Whether the channel is shown. Until the inputs are loaded we trust the server's list
 * (it leaves out what we cannot see); after, our computation also hides a channel a
 * guild-wide `channel_created`/`channel_updated` told us about.
 */
export function canView(s: State, c: Channel): boolean {
  if (!permsKnown(s, c.guild_id)) return true;
  if (c.type === "category") return true; // shown when one of its channels is (see visibleChannels)
  return has(channelPerms(s, c.guild_id, c), "VIEW_CHANNEL");
}

const visibleCache = new Map<number, { inputs: unknown[]; out: Channel[] }>();

/** The guild's channels the viewer sees (the same array while its inputs are unchanged). */
export function visibleChannels(s: State, guildId: number): Channel[] {
  const inputs = [s.channels[guildId], s.roles[guildId], s.members[guildId], s.me, s.guilds];
  const hit = visibleCache.get(guildId);
  if (hit && hit.inputs.every((x, i) => x === inputs[i])) return hit.out;
  const out = computeVisible(s, guildId);
  visibleCache.set(guildId, { inputs, out });
  return out;
}

function computeVisible(s: State, guildId: number): Channel[] {
  const list = s.channels[guildId] ?? [];
  const shown = list.filter((c) => c.type !== "category" && canView(s, c));
  const usedCats = new Set(shown.map((c) => c.category_id));
  return list.filter((c) => (c.type === "category"
    ? usedCats.has(c.id) || has(channelPerms(s, guildId, c), "VIEW_CHANNEL") || !permsKnown(s, guildId)
    : shown.includes(c)));
}

/** The viewer's permission in the guild (or in a channel of it). */
export function useCan(guildId: number | undefined, p: PermName, channelId?: number): boolean {
  return useStore((s) => {
    if (guildId === undefined) return false;
    const c = channelId ? s.channels[guildId]?.find((x) => x.id === channelId) : undefined;
    return has(channelPerms(s, guildId, c), p);
  });
}

export function usePerms(guildId: number): bigint {
  return useStore((s) => guildPerms(s, guildId));
}

export const findGuild = (guildId: number) => getState().guilds.find((g) => g.id === guildId);
