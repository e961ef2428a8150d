import { showError } from "../../actions/common";
import { gov } from "../../govapi";
import { tg } from "../../i18n-gov";
import { canGiveRole, colorHex, displayName, memberRoles, nameColor, rolesByRank } from "../../perms";
import { myMember, upsertMember, usePerms } from "../../roles";
import { useStore } from "../../store";
import type { Guild, Member, Role } from "../../types";
import { Avatar } from "../Avatar";

export async function setMemberRole(guildId: number, m: Member, r: Role, on: boolean): Promise<void> {
  try { upsertMember(guildId, await gov.giveRole(guildId, m.id, r.id, on)); } catch (e) { showError(e); }
}

/** One member's roles: chips to take away, a menu to give (only roles the viewer may give). */
export function MemberRoles({ guild, member }: { guild: Guild; member: Member }) {
  const roles = useStore((s) => s.roles[guild.id]) ?? [];
  const me = useStore((s) => myMember(s, guild.id));
  const perms = usePerms(guild.id);
  const held = memberRoles(member, roles);
  const can = (r: Role) => canGiveRole(guild, me, roles, r, perms);
  const giveable = rolesByRank(roles).filter((r) => r.position > 0 && !member.roles?.includes(r.id) && can(r));
  const name = displayName(member);
  return (
    <div class="member-roles">
      <ul class="chips" aria-label={tg("manageRoles", { name })}>
        {held.length === 0 && <li class="muted small">{tg("noRoles")}</li>}
        {held.map((r) => (
          <li key={r.id} class="chip">
            <span class="role-dot" style={{ background: colorHex(r.color) ?? "var(--muted)" }} aria-hidden="true" />
            {r.name}
            {can(r) && (
              <button type="button" class="icon small" aria-label={tg("removeRole", { role: r.name, name })}
                onClick={() => setMemberRole(guild.id, member, r, false)}>✕</button>
            )}
          </li>
        ))}
      </ul>
      {giveable.length > 0 && (
        <select aria-label={`${tg("addRole")}: ${name}`} value=""
          onChange={(e) => {
            const r = roles.find((x) => String(x.id) === (e.currentTarget as HTMLSelectElement).value);
            if (r) void setMemberRole(guild.id, member, r, true);
          }}>
          <option value="">+ {tg("addRole")}</option>
          {giveable.map((r) => <option key={r.id} value={String(r.id)}>{r.name}</option>)}
        </select>
      )}
    </div>
  );
}

export function MembersPage({ guild }: { guild: Guild }) {
  const members = useStore((s) => s.members[guild.id]) ?? [];
  const roles = useStore((s) => s.roles[guild.id]) ?? [];
  const sorted = [...members].sort((a, b) => displayName(a).localeCompare(displayName(b)));
  return (
    <ul class="settings-members" aria-label={tg("members")}>
      {sorted.map((m) => (
        <li key={m.id} class="settings-member" data-member={m.username}>
          <Avatar name={displayName(m)} src={m.avatar} />
          <span class="settings-member-name" style={{ color: nameColor(m, roles) }}>
            {displayName(m)} {m.display_name && <span class="muted small">@{m.username}</span>}
          </span>
          <MemberRoles guild={guild} member={m} />
        </li>
      ))}
    </ul>
  );
}
