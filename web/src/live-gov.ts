// Socket events of roles, moderation and profiles (contract sections 13, 14, 20), and
// the rooms that follow what the viewer may see: a channel that becomes invisible is
// forgotten (the server already took the socket out of its room) and its cached
// messages dropped; one that becomes visible is joined and read afresh.
import { currentChannelId } from "./actions/common";
import { loadChannels } from "./actions/guilds";
import { tg } from "./i18n-gov";
import { navigate } from "./nav";
import * as rt from "./realtime";
import { applyUser, canView, dropRole, findGuild, upsertGuild, upsertRole } from "./roles";
import { channelPath } from "./router";
import { getState, setState, subscribe, toast } from "./store";
import type { Guild, Member, Role, User } from "./types";

const refreshTimers = new Map<number, ReturnType<typeof setTimeout>>();

/**
 * Re-reads a guild's channel list after a change that may alter what we see (several
 * role_updated arrive for one reorder: they are read once). The server's list is the
 * truth for what became visible; the reconciler below handles the rooms.
 */
export function refreshChannels(guildId: number): void {
  clearTimeout(refreshTimers.get(guildId));
  refreshTimers.set(guildId, setTimeout(() => {
    refreshTimers.delete(guildId);
    void loadChannels(guildId);
  }, 30));
}

function holdsRole(guildId: number, role: Role): boolean {
  const s = getState();
  if (role.position === 0) return true;
  return !!s.members[guildId]?.find((m) => m.id === s.me?.id)?.roles?.includes(role.id);
}

export function bindGovernance(s: import("socket.io-client").Socket): void {
  s.on("role_created", (r: Role) => { if (r?.guild_id) upsertRole(r); });
  s.on("role_updated", (r: Role) => {
    if (!r?.guild_id) return;
    const mine = holdsRole(r.guild_id, r);
    upsertRole(r);
    if (mine) refreshChannels(r.guild_id);
  });
  s.on("role_deleted", (r: Role) => {
    if (!r?.guild_id) return;
    const mine = holdsRole(r.guild_id, r);
    dropRole(r.guild_id, r.id);
    if (mine) refreshChannels(r.guild_id);
  });
  // realtime.ts re-reads the member list; our own roles may change what we see.
  s.on("member_updated", (m: Member & { guild_id?: number }) => {
    if (typeof m?.guild_id === "number" && m.id === getState().me?.id) refreshChannels(m.guild_id);
  });
  s.on("guild_updated", (g: Guild) => { if (typeof g?.id === "number") upsertGuild(g); });
  s.on("user_updated", (u: Pick<User, "id"> & Partial<User>) => {
    if (typeof u?.id === "number") applyUser(u);
  });
  // Bound before realtime.ts's handler, which removes the guild: its name is still known.
  s.on("guild_removed", (d: { guild_id?: number }) => {
    const g = typeof d?.guild_id === "number" ? findGuild(d.guild_id) : undefined;
    if (g) toast(tg("removedFrom", { name: g.name }), "info");
  });
}

// --- rooms follow visibility

let hidden = new Set<number>();
let scheduled = false;

function reconcile(): void {
  scheduled = false;
  const s = getState();
  if (!s.me) { hidden = new Set(); return; }
  const nowHidden = new Set<number>();
  const visible = [];
  for (const list of Object.values(s.channels)) {
    for (const c of list) {
      if (c.type !== "text") continue;
      if (canView(s, c)) visible.push(c); else nowHidden.add(c.id);
    }
  }
  const lost = [...nowHidden].filter((id) => !hidden.has(id));
  const regained = [...hidden].filter((id) => !nowHidden.has(id));
  hidden = nowHidden;
  rt.forgetChannels(nowHidden);
  if (lost.length || regained.length) {
    // Whatever we held of these is stale (missed while hidden): read afresh when shown.
    setState((st) => {
      const messages = { ...st.messages };
      for (const id of [...lost, ...regained]) delete messages[id];
      return { messages };
    });
  }
  rt.joinChannels(visible);
  const cur = currentChannelId();
  const route = s.route;
  if (cur !== undefined && nowHidden.has(cur) && route.name === "channels") {
    navigate(channelPath(route.guildId), true);
  }
}

let started = false;
export function startGovernance(): void {
  if (started) return;
  started = true;
  rt.addBinder(bindGovernance);
  let last: unknown[] = [];
  subscribe(() => {
    const s = getState();
    const now = [s.channels, s.roles, s.members, s.me, s.guilds];
    if (now.every((x, i) => x === last[i])) return;
    last = now;
    // After the change's own synchronous work (an upsert joins the room it names).
    if (!scheduled) { scheduled = true; queueMicrotask(reconcile); }
  });
}
