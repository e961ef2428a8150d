// The server's invites as the client uses them: which are still usable, and the link
// the invite dialog shows (one of yours that still works, else a new one), so opening
// the dialog a few times does not fill the invites list with copies.
import { api } from "./api";
import type { GuildInvite, Invite } from "./types";

export type { GuildInvite };

/** Still usable: not expired, not used up. */
export function isLive(i: GuildInvite, now = Date.now()): boolean {
  if (i.expires_at && new Date(i.expires_at).getTime() <= now) return false;
  return !(i.max_uses > 0 && i.uses >= i.max_uses);
}

/** An invite of `meId`'s with no use limit that stays valid at least another hour. */
export function reusable(list: GuildInvite[], meId: number | undefined, now = Date.now()): GuildInvite | undefined {
  return [...list].reverse().find((i) => i.creator_id === meId && i.max_uses === 0
    && (i.expires_at === null || new Date(i.expires_at).getTime() > now + 3600_000));
}

/** The link to offer when the invite dialog opens. */
export async function inviteForDialog(guildId: number, meId: number | undefined): Promise<Invite> {
  const list = await api.invites(guildId).catch(() => [] as GuildInvite[]);
  return reusable(list, meId) ?? api.createInvite(guildId, {});
}
