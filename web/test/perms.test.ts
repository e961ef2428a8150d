import { describe, expect, it } from "vitest";
import {
  ALL, basePermissions, canActOn, canGiveRole, canManageRole, canToggle, channelPermissions, groupMembers,
  has, moveRole, nameColor, overwriteState, parseBits, PERMS, setOverwriteState, toggleBit,
} from "../src/perms";
import type { Guild, Member, Role } from "../src/types";

const guild: Guild = { id: 1, name: "g", owner_id: 100 };
const role = (id: number, position: number, perms: bigint, extra: Partial<Role> = {}): Role => ({
  id, guild_id: 1, name: `r${id}`, permissions: String(perms), position, color: 0, hoist: false,
  mentionable: false, ...extra,
});
const EVERYONE = PERMS.VIEW_CHANNEL | PERMS.SEND_MESSAGES | PERMS.READ_MESSAGE_HISTORY;
const roles = [
  role(10, 0, EVERYONE),
  role(11, 1, PERMS.KICK_MEMBERS, { hoist: true, color: 0xff0000 }),
  role(12, 2, PERMS.MANAGE_ROLES | PERMS.BAN_MEMBERS, { color: 0x00ff00 }),
  role(13, 3, PERMS.ADMINISTRATOR, { hoist: true }),
];
const member = (id: number, ids: number[], extra: Partial<Member> = {}): Member =>
  ({ id, username: `u${id}`, roles: ids, ...extra });

describe("permission bits", () => {
  it("keeps bits past 32 (MODERATE_MEMBERS is 1 << 40) through the decimal string", () => {
    const s = toggleBit("0", "MODERATE_MEMBERS", true);
    expect(s).toBe("1099511627776");
    expect(has(parseBits(s), "MODERATE_MEMBERS")).toBe(true);
    expect(toggleBit(s, "MODERATE_MEMBERS", false)).toBe("0");
  });

  it("reads a malformed value as nothing", () => {
    expect(parseBits("-1")).toBe(0n);
    expect(parseBits("1e3")).toBe(0n);
    expect(parseBits(undefined)).toBe(0n);
  });

  it("ORs @everyone with the member's roles; owner and ADMINISTRATOR hold all", () => {
    const p = basePermissions(guild, member(1, [11]), roles);
    expect(has(p, "KICK_MEMBERS") && has(p, "SEND_MESSAGES")).toBe(true);
    expect(has(p, "BAN_MEMBERS")).toBe(false);
    expect(basePermissions(guild, member(100, []), roles)).toBe(ALL);
    expect(basePermissions(guild, member(2, [13]), roles)).toBe(ALL);
    expect(basePermissions(guild, undefined, roles)).toBe(0n);
  });
});

describe("channel overwrites in section 13's order", () => {
  const bits = (allow: bigint, deny: bigint) => ({ allow: String(allow), deny: String(deny) });
  const V = PERMS.VIEW_CHANNEL;
  it("@everyone deny, then the roles' allow, then the member's own deny", () => {
    const ch = { permission_overwrites: [
      { id: 10, type: "role" as const, ...bits(0n, V) },
      { id: 11, type: "role" as const, ...bits(V, 0n) },
    ] };
    expect(has(channelPermissions(guild, member(1, []), roles, ch), "VIEW_CHANNEL")).toBe(false);
    expect(has(channelPermissions(guild, member(1, [11]), roles, ch), "VIEW_CHANNEL")).toBe(true);
    const own = { permission_overwrites: [...ch.permission_overwrites,
      { id: 1, type: "member" as const, ...bits(0n, V) }] };
    expect(has(channelPermissions(guild, member(1, [11]), roles, own), "VIEW_CHANNEL")).toBe(false);
  });

  it("a role id equal to a user id is not the member's overwrite (type and id together)", () => {
    const ch = { permission_overwrites: [{ id: 11, type: "role" as const, ...bits(0n, V) }] };
    expect(has(channelPermissions(guild, member(11, []), roles, ch), "VIEW_CHANNEL")).toBe(true);
  });

  it("ADMINISTRATOR and the owner ignore overwrites", () => {
    const ch = { permission_overwrites: [{ id: 10, type: "role" as const, ...bits(0n, V) }] };
    expect(channelPermissions(guild, member(2, [13]), roles, ch)).toBe(ALL);
    expect(channelPermissions(guild, member(100, []), roles, ch)).toBe(ALL);
  });

  it("tri-state: allow, deny and neutral per bit", () => {
    let o = { allow: "0", deny: "0" };
    expect(overwriteState(o, "SEND_MESSAGES")).toBe("neutral");
    o = setOverwriteState(o, "SEND_MESSAGES", "deny");
    expect(overwriteState(o, "SEND_MESSAGES")).toBe("deny");
    o = setOverwriteState(o, "SEND_MESSAGES", "allow");
    expect(o).toEqual({ allow: String(PERMS.SEND_MESSAGES), deny: "0" });
    expect(setOverwriteState(o, "SEND_MESSAGES", "neutral")).toEqual({ allow: "0", deny: "0" });
  });
});

describe("hierarchy: never above oneself, never grant what one lacks", () => {
  const mod = member(5, [12]);
  const p = basePermissions(guild, mod, roles);
  it("manages and gives only roles strictly below one's top role", () => {
    expect(canManageRole(guild, mod, roles, roles[1], p)).toBe(true);
    expect(canManageRole(guild, mod, roles, roles[2], p)).toBe(false);
    expect(canManageRole(guild, mod, roles, roles[3], p)).toBe(false);
    // r11 carries KICK_MEMBERS, which the moderator does not hold.
    expect(canGiveRole(guild, mod, roles, roles[1], p)).toBe(false);
    expect(canGiveRole(guild, member(100, []), roles, roles[3], ALL)).toBe(true);
    expect(canGiveRole(guild, member(100, []), roles, roles[0], ALL)).toBe(false); // @everyone
  });

  it("a toggle turns on only what the viewer holds; turning off is always allowed", () => {
    expect(canToggle(p, "ADMINISTRATOR", false)).toBe(false);
    expect(canToggle(p, "ADMINISTRATOR", true)).toBe(true);
    expect(canToggle(p, "BAN_MEMBERS", false)).toBe(true);
  });

  it("acts only on members below, never on the owner or oneself", () => {
    expect(canActOn(guild, mod, member(6, [11]), roles)).toBe(true);
    expect(canActOn(guild, mod, member(6, [12]), roles)).toBe(false);
    expect(canActOn(guild, mod, member(100, []), roles)).toBe(false);
    expect(canActOn(guild, mod, mod, roles)).toBe(false);
    expect(canActOn(guild, member(100, []), member(6, [13]), roles)).toBe(true);
  });
});

describe("member list", () => {
  it("groups online members by their highest hoisted role, then online, then offline", () => {
    const members = [
      member(1, [11], { username: "bob" }), member(2, [13, 11], { username: "al" }),
      member(3, [12], { username: "cy" }), member(4, [], { username: "Dee", display_name: "Anna" }),
      member(5, [13], { username: "zed" }),
    ];
    const online = new Set([1, 2, 3, 4]);
    const groups = groupMembers(members, roles, (m) => online.has(m.id));
    expect(groups.map((g) => [g.key, g.members.map((m) => m.username)])).toEqual([
      ["role:13", ["al"]], ["role:11", ["bob"]], ["online", ["Dee", "cy"]], ["offline", ["zed"]],
    ]);
  });

  it("colors a name by the highest role that has a color", () => {
    expect(nameColor(member(1, [13, 12, 11]), roles)).toBe("#00ff00");
    expect(nameColor(member(1, []), roles)).toBeUndefined();
  });

  it("moves a role the way the server does: the ones between shift toward its old place", () => {
    const pos = (rs: Role[]) => Object.fromEntries(rs.map((r) => [r.id, r.position]));
    expect(pos(moveRole(roles, 11, 3))).toEqual({ 10: 0, 11: 3, 12: 1, 13: 2 });
    expect(pos(moveRole(roles, 13, 1))).toEqual({ 10: 0, 11: 2, 12: 3, 13: 1 });
    expect(moveRole(roles, 10, 2)).toBe(roles); // @everyone never moves
  });
});
