// Discord's permission model as the server computes it (contract section 13), for the
// UI only: it decides what to show and enable; the server still decides what happens.
// Bits are bigints (MODERATE_MEMBERS is 1 << 40, past what a 32-bit operator holds);
// the wire carries them as decimal strings.
import type { Channel, Guild, Member, Overwrite, Role } from "./types";

export const PERMS = {
  CREATE_INSTANT_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_AUDIT_LOG: 1n << 7n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  MANAGE_MESSAGES: 1n << 13n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_GUILD_EXPRESSIONS: 1n << 30n,
  MODERATE_MEMBERS: 1n << 40n,
} as const;

export type PermName = keyof typeof PERMS;
export const ALL: bigint = Object.values(PERMS).reduce((a, b) => a | b, 0n);

/** The toggles of a role, grouped as Discord's role editor groups them. */
export const ROLE_GROUPS: { key: string; perms: PermName[] }[] = [
  { key: "general", perms: ["VIEW_CHANNEL", "MANAGE_CHANNELS", "MANAGE_ROLES",
    "MANAGE_GUILD_EXPRESSIONS", "VIEW_AUDIT_LOG", "MANAGE_GUILD"] },
  { key: "membership", perms: ["CREATE_INSTANT_INVITE", "KICK_MEMBERS", "BAN_MEMBERS",
    "MODERATE_MEMBERS"] },
  { key: "text", perms: ["SEND_MESSAGES", "ATTACH_FILES", "ADD_REACTIONS", "MENTION_EVERYONE",
    "MANAGE_MESSAGES", "READ_MESSAGE_HISTORY"] },
  { key: "advanced", perms: ["ADMINISTRATOR"] },
];

/** What a channel overwrite can say something about (no guild-wide bits). */
export const CHANNEL_GROUPS: { key: string; perms: PermName[] }[] = [
  { key: "general", perms: ["VIEW_CHANNEL", "MANAGE_CHANNELS", "MANAGE_ROLES"] },
  { key: "membership", perms: ["CREATE_INSTANT_INVITE"] },
  { key: "text", perms: ["SEND_MESSAGES", "ATTACH_FILES", "ADD_REACTIONS", "MENTION_EVERYONE",
    "MANAGE_MESSAGES", "READ_MESSAGE_HISTORY"] },
];

/** A wire value ("1024") as bits; anything malformed is no permission at all. */
export function parseBits(s: string | undefined | null): bigint {
  if (!s || !/^\d{1,20}$/.test(s)) return 0n;
  return BigInt(s);
}

export const has = (bits: bigint, p: PermName): boolean => (bits & PERMS[p]) === PERMS[p];

export function everyoneRole(roles: Role[]): Role | undefined {
  return roles.find((r) => r.position === 0);
}

/** The member's roles (without @everyone), highest first. */
export function memberRoles(member: Member | undefined, roles: Role[]): Role[] {
  if (!member?.roles) return [];
  const ids = new Set(member.roles);
  return roles.filter((r) => ids.has(r.id) && r.position > 0).sort((a, b) => b.position - a.position);
}

/** Position of the member's highest role (0: only @everyone). */
export function topPosition(member: Member | undefined, roles: Role[]): number {
  return memberRoles(member, roles)[0]?.position ?? 0;
}

/** Guild-wide permissions: the owner and ADMINISTRATOR hold everything. */
export function basePermissions(guild: Guild, member: Member | undefined, roles: Role[]): bigint {
  if (!member) return 0n;
  if (member.id === guild.owner_id) return ALL;
  let bits = parseBits(everyoneRole(roles)?.permissions);
  for (const r of memberRoles(member, roles)) bits |= parseBits(r.permissions);
  return has(bits, "ADMINISTRATOR") ? ALL : bits;
}

/** Section 13's order: @everyone's overwrite, the union of the member's roles', the member's own. */
export function channelPermissions(guild: Guild, member: Member | undefined, roles: Role[],
  channel: Pick<Channel, "permission_overwrites">): bigint {
  let bits = basePermissions(guild, member, roles);
  if (!member || bits === ALL) return bits;
  const ows = channel.permission_overwrites ?? [];
  const find = (type: Overwrite["type"], id: number | undefined) =>
    ows.find((o) => o.type === type && o.id === id);
  const apply = (o: { allow: bigint; deny: bigint } | undefined) => {
    if (o) bits = (bits & ~o.deny) | o.allow;
  };
  const ev = find("role", everyoneRole(roles)?.id);
  if (ev) apply({ allow: parseBits(ev.allow), deny: parseBits(ev.deny) });
  let allow = 0n;
  let deny = 0n;
  const mine = new Set(member.roles ?? []);
  for (const o of ows) {
    if (o.type === "role" && mine.has(o.id) && o.id !== ev?.id) {
      allow |= parseBits(o.allow);
      deny |= parseBits(o.deny);
    }
  }
  apply({ allow, deny });
  const own = find("member", member.id);
  if (own) apply({ allow: parseBits(own.allow), deny: parseBits(own.deny) });
  return bits;
}

export function isTimedOut(member: Member | undefined, now = Date.now()): boolean {
  const until = member?.communication_disabled_until;
  return !!until && Date.parse(until) > now;
}

/** Kick, ban and timeout: never oneself or the owner; others only strictly below one's top role. */
export function canActOn(guild: Guild, actor: Member | undefined, target: Member, roles: Role[]): boolean {
  if (!actor || actor.id === target.id || target.id === guild.owner_id) return false;
  if (actor.id === guild.owner_id) return true;
  return topPosition(target, roles) < topPosition(actor, roles);
}

/**
 * Whether the viewer may edit (or give, or take) this role: the owner any role; anyone
 * else with MANAGE_ROLES only roles strictly below their own highest role. @everyone's
 * permissions are editable under the same rule (it is at position 0).
 */
export function canManageRole(guild: Guild, actor: Member | undefined, roles: Role[], role: Role,
  perms: bigint): boolean {
  if (!actor) return false;
  if (actor.id === guild.owner_id) return true;
  return has(perms, "MANAGE_ROLES") && role.position < topPosition(actor, roles);
}

/** Giving a role never grants a bit the giver lacks. */
export function canGiveRole(guild: Guild, actor: Member | undefined, roles: Role[], role: Role,
  perms: bigint): boolean {
  return role.position > 0 && canManageRole(guild, actor, roles, role, perms)
    && (parseBits(role.permissions) & ~perms) === 0n;
}

/** A toggle may be switched when the viewer holds the bit, or to take a bit away. */
export function canToggle(perms: bigint, p: PermName, on: boolean): boolean {
  return on || has(perms, p);
}

export function toggleBit(bits: string, p: PermName, on: boolean): string {
  const b = parseBits(bits);
  return String(on ? b | PERMS[p] : b & ~PERMS[p]);
}

export type Tri = "allow" | "neutral" | "deny";

export function overwriteState(o: Pick<Overwrite, "allow" | "deny"> | undefined, p: PermName): Tri {
  if (!o) return "neutral";
  if (parseBits(o.allow) & PERMS[p]) return "allow";
  if (parseBits(o.deny) & PERMS[p]) return "deny";
  return "neutral";
}

export function setOverwriteState(o: Pick<Overwrite, "allow" | "deny">, p: PermName, s: Tri):
  { allow: string; deny: string } {
  const bit = PERMS[p];
  let allow = parseBits(o.allow) & ~bit;
  let deny = parseBits(o.deny) & ~bit;
  if (s === "allow") allow |= bit;
  if (s === "deny") deny |= bit;
  return { allow: String(allow), deny: String(deny) };
}

/** "#rrggbb" for a role color (0 = none). */
export function colorHex(color: number | undefined): string | undefined {
  return color ? `#${color.toString(16).padStart(6, "0")}` : undefined;
}

/** The member's name color: their highest role that has a color. */
export function nameColor(member: Member, roles: Role[]): string | undefined {
  return colorHex(memberRoles(member, roles).find((r) => r.color)?.color);
}

export interface MemberGroup {
  /** The hoisted role the group is for, or "online" / "offline". */
  key: string;
  role?: Role;
  members: Member[];
}

export const displayName = (m: { username: string; display_name?: string | null }) =>
  m.display_name || m.username;

/**
 * Discord's member list: online members under their highest hoisted role (highest role
 * first), the other online members under "online", everyone offline under "offline";
 * by name within a group. Empty groups are left out.
 */
export function groupMembers(members: Member[], roles: Role[],
  online: (m: Member) => boolean): MemberGroup[] {
  const hoisted = roles.filter((r) => r.hoist && r.position > 0).sort((a, b) => b.position - a.position);
  const groups: MemberGroup[] = [
    ...hoisted.map((r) => ({ key: `role:${r.id}`, role: r, members: [] as Member[] })),
    { key: "online", members: [] },
    { key: "offline", members: [] },
  ];
  const byKey = new Map(groups.map((g) => [g.key, g]));
  for (const m of members) {
    if (!online(m)) { byKey.get("offline")!.members.push(m); continue; }
    const top = memberRoles(m, roles).find((r) => r.hoist);
    byKey.get(top ? `role:${top.id}` : "online")!.members.push(m);
  }
  const collator = new Intl.Collator(undefined, { sensitivity: "base" });
  for (const g of groups) g.members.sort((a, b) => collator.compare(displayName(a), displayName(b)));
  return groups.filter((g) => g.members.length > 0);
}

/** Roles in the order of the roles page: highest first, @everyone last. */
export function rolesByRank(roles: Role[]): Role[] {
  return [...roles].sort((a, b) => b.position - a.position);
}

/**
 * The positions after moving a role to `to` (section 13: the roles in between shift one
 * step toward its old place), for showing a drag's result before the server answers.
 */
export function moveRole(roles: Role[], id: number, to: number): Role[] {
  const moving = roles.find((r) => r.id === id);
  if (!moving || moving.position === 0 || to < 1) return roles;
  const from = moving.position;
  return roles.map((r) => {
    if (r.id === id) return { ...r, position: to };
    if (from < to && r.position > from && r.position <= to) return { ...r, position: r.position - 1 };
    if (to < from && r.position >= to && r.position < from) return { ...r, position: r.position + 1 };
    return r;
  });
}
