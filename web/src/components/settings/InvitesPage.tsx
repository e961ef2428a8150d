// Server settings → Invites: the server's live invites (code, who made it, uses, expiry)
// with "Revoke" for the ones the viewer may delete (their own, or any with MANAGE_GUILD).
import { useEffect, useState } from "preact/hooks";
import { showError } from "../../actions";
import { api } from "../../api";
import { formatRelative, t } from "../../i18n";
import { tf } from "../../i18n-features";
import { has } from "../../perms";
import { usePerms } from "../../roles";
import { useStore } from "../../store";
import type { Guild } from "../../types";
import { isLive, type GuildInvite } from "../../invites";

export { isLive } from "../../invites";

export function InvitesPage({ guild }: { guild: Guild }) {
  const [list, setList] = useState<GuildInvite[] | null>(null);
  const meId = useStore((s) => s.me?.id);
  const manage = has(usePerms(guild.id), "MANAGE_GUILD");
  const members = useStore((s) => s.members[guild.id]);
  const load = () => api.invites(guild.id)
    .then((all) => setList(all.filter((i) => isLive(i)).reverse()), (e) => { showError(e); setList([]); });
  useEffect(() => { void load(); }, [guild.id]);
  if (list === null) return <p class="muted" role="status">{t("loading")}</p>;
  if (list.length === 0) return <p class="muted">{tf("noInvites")}</p>;
  const who = (id?: number) => members?.find((m) => m.id === id)?.username ?? "";
  return (
    <table class="settings-table invites-table" aria-label={tf("invites")}>
      <tbody>
        {list.map((i) => (
          <tr key={i.code} data-invite={i.code}>
            <td><code>{i.code}</code></td>
            <td>{who(i.creator_id)}</td>
            <td>{i.max_uses > 0 ? tf("inviteUses", { uses: i.uses, max: i.max_uses })
              : tf("inviteUsesUnlimited", { uses: i.uses })}</td>
            <td>{i.expires_at ? tf("inviteExpires", { when: formatRelative(i.expires_at) }) : tf("inviteNever")}</td>
            <td>{(manage || i.creator_id === meId) && (
              <button type="button" class="danger" aria-label={tf("revokeInvite", { code: i.code })}
                onClick={async () => {
                  try { await api.revokeInvite(i.code); await load(); }
                  catch (e) { showError(e); }
                }}>{tf("revoke")}</button>
            )}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
