import { useEffect, useState } from "preact/hooks";
import { showError } from "../../actions/common";
import { api } from "../../api";
import { type AuditEntry, type Ban, gov } from "../../govapi";
import { formatTime, t } from "../../i18n";
import { actionLabel, AUDIT_ACTIONS, tg } from "../../i18n-gov";
import { displayName } from "../../perms";
import { useStore } from "../../store";
import type { Guild } from "../../types";
import { Avatar } from "../Avatar";

export function BansPage({ guild }: { guild: Guild }) {
  const [bans, setBans] = useState<Ban[] | null>(null);
  const load = () => gov.bans(guild.id).then(setBans, (e) => { showError(e); setBans([]); });
  useEffect(() => { void load(); }, [guild.id]);
  if (bans === null) return <p class="muted" role="status">{t("loading")}</p>;
  if (bans.length === 0) return <p class="muted">{tg("noBans")}</p>;
  return (
    <table class="settings-table" aria-label={tg("bans")}>
      <thead><tr><th scope="col">{tg("bannedUser")}</th><th scope="col">{tg("reason")}</th>
        <th scope="col">{tg("when")}</th><th scope="col"><span class="sr-only">{tg("unban")}</span></th></tr></thead>
      <tbody>
        {bans.map((b) => (
          <tr key={b.user.id} data-ban={b.user.username}>
            <td><span class="row"><Avatar name={displayName(b.user)} src={b.user.avatar} size={24} /> {displayName(b.user)}</span></td>
            <td>{b.reason ?? <span class="muted">{tg("noReason")}</span>}</td>
            <td><time dateTime={b.created_at}>{formatTime(b.created_at)}</time></td>
            <td><button type="button" class="danger" aria-label={`${tg("unban")}: ${b.user.username}`} onClick={async () => {
              try { await gov.unban(guild.id, b.user.id); await load(); } catch (e) { showError(e); }
            }}>{tg("unban")}</button></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const PAGE = 50;

function show(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function AuditLogPage({ guild }: { guild: Guild }) {
  const members = useStore((s) => s.members[guild.id]) ?? [];
  const roles = useStore((s) => s.roles[guild.id]) ?? [];
  const channels = useStore((s) => s.channels[guild.id]) ?? [];
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [user, setUser] = useState("");
  const [action, setAction] = useState("");
  // Kicked and banned users are no longer members: their names come from the user list.
  const [others, setOthers] = useState<Record<number, string>>({});
  useEffect(() => {
    const ids = new Set(members.map((m) => m.id));
    const unknown = (entries ?? []).some((e) => (e.user_id !== null && !ids.has(e.user_id))
      || (e.action.startsWith("member_") && typeof e.target_id === "number" && !ids.has(e.target_id)));
    if (!unknown || Object.keys(others).length) return;
    api.users(1000).then(
      (list) => setOthers(Object.fromEntries(list.map((u) => [u.id, u.username]))), () => {});
  }, [entries, members]);

  async function load(before?: number) {
    try {
      const page = await gov.auditLog(guild.id, { before, limit: PAGE,
        user_id: user ? Number(user) : undefined, action: action || undefined });
      setEntries((cur) => (before && cur ? [...cur, ...page] : page));
      setMore(page.length >= PAGE);
    } catch (e) { showError(e); setEntries([]); }
  }
  useEffect(() => { setEntries(null); void load(); }, [guild.id, user, action]);

  const userName = (id: number | null) => {
    const m = members.find((x) => x.id === id);
    return m ? displayName(m) : id === null ? "—" : others[id] ?? `#${id}`;
  };
  const targetName = (e: AuditEntry) => {
    const id = e.target_id;
    if (e.action.startsWith("member_")) return userName(typeof id === "number" ? id : null);
    if (e.action.startsWith("channel_")) {
      const c = channels.find((x) => x.id === id);
      const named = e.changes.find((c) => c.key === "name");
      return `#${c?.name ?? show(named?.new ?? named?.old ?? id)}`;
    }
    if (e.action.startsWith("role_")) {
      const named = e.changes.find((c) => c.key === "name");
      return roles.find((x) => x.id === id)?.name ?? show(named?.new ?? named?.old ?? id);
    }
    if (e.action === "guild_update") return guild.name;
    const named = e.changes.find((c) => c.key === "name");
    return named ? show(named.new ?? named.old) : show(id);
  };

  return (
    <div class="audit">
      <div class="row audit-filters">
        <label class="sr-only" for="audit-user">{tg("filterUser")}</label>
        <select id="audit-user" value={user} onChange={(e) => setUser((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">{tg("allUsers")}</option>
          {members.map((m) => <option key={m.id} value={String(m.id)}>{displayName(m)}</option>)}
        </select>
        <label class="sr-only" for="audit-action">{tg("filterAction")}</label>
        <select id="audit-action" value={action} onChange={(e) => setAction((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">{tg("allActions")}</option>
          {AUDIT_ACTIONS.map((a) => <option key={a} value={a}>{actionLabel(a)}</option>)}
        </select>
      </div>
      {entries === null ? <p class="muted" role="status">{t("loading")}</p>
        : entries.length === 0 ? <p class="muted">{tg("auditEmpty")}</p> : (
          <ol class="audit-list" aria-label={tg("auditLog")}>
            {entries.map((e) => (
              <li key={e.id} class="audit-entry" data-action={e.action}>
                <p class="audit-line">
                  <strong>{userName(e.user_id)}</strong> {actionLabel(e.action)} <strong>{targetName(e)}</strong>
                  <time class="muted small" dateTime={e.created_at}> · {formatTime(e.created_at)}</time>
                </p>
                {e.reason && <p class="small">{tg("reason")}: {e.reason}</p>}
                {e.changes.length > 0 && (
                  <ul class="audit-changes" aria-label={tg("changes")}>
                    {e.changes.map((c) => (
                      <li key={c.key} class="small"><code>{c.key}</code>: {show(c.old)} → {show(c.new)}</li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        )}
      {more && entries && <button type="button" onClick={() => load(entries[entries.length - 1].id)}>{tg("loadMore")}</button>}
    </div>
  );
}
