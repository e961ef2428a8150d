import { useEffect, useState } from "preact/hooks";
import { showError } from "../../actions/common";
import { gov } from "../../govapi";
import { t } from "../../i18n";
import { tg } from "../../i18n-gov";
import {
  canManageRole, colorHex, moveRole, parseBits, ROLE_GROUPS, rolesByRank, toggleBit, topPosition,
} from "../../perms";
import { dropRole, myMember, upsertRole, usePerms } from "../../roles";
import { setState, useStore } from "../../store";
import type { Guild, Role } from "../../types";
import { errorsFrom } from "../Auth";
import { Field } from "../Field";
import { RoleToggles } from "./PermissionToggles";

export function RolesPage({ guild }: { guild: Guild }) {
  const roles = useStore((s) => s.roles[guild.id]) ?? [];
  const members = useStore((s) => s.members[guild.id]) ?? [];
  const me = useStore((s) => myMember(s, guild.id));
  const perms = usePerms(guild.id);
  const [selected, setSelected] = useState<number | null>(null);
  const [dragging, setDragging] = useState<number | null>(null);
  const ranked = rolesByRank(roles);
  const role = roles.find((r) => r.id === selected) ?? ranked[0];
  const owner = me?.id === guild.owner_id;
  const myTop = owner ? Infinity : topPosition(me, roles);
  const manageable = (r: Role) => canManageRole(guild, me, roles, r, perms);
  const maxPos = roles.length - 1;

  async function create() {
    try {
      const r = await gov.createRole(guild.id, { name: tg("newRole") });
      upsertRole(r);
      setSelected(r.id);
    } catch (e) { showError(e); }
  }

  async function move(r: Role, to: number) {
    if (to < 1 || to > maxPos || to >= myTop || to === r.position) return;
    setState((s) => ({ roles: { ...s.roles, [guild.id]: moveRole(s.roles[guild.id] ?? [], r.id, to) } }));
    try { upsertRole(await gov.updateRole(guild.id, r.id, { position: to })); } catch (e) {
      showError(e);
      setState((s) => ({ roles: { ...s.roles, [guild.id]: roles } }));
    }
  }

  return (
    <div class="roles-page">
      <div class="roles-side">
        <p class="muted small">{tg("rolesHint")}</p>
        <button type="button" class="primary" onClick={create}>{tg("createRole")}</button>
        <ul class="role-list" aria-label={tg("roles")}>
          {ranked.map((r) => {
            const can = manageable(r) && r.position > 0;
            const count = r.position === 0 ? members.length : members.filter((m) => m.roles?.includes(r.id)).length;
            return (
              <li key={r.id} class={`role-item ${role?.id === r.id ? "active" : ""} ${dragging === r.id ? "dragging" : ""}`}
                draggable={can} data-role={r.name}
                onDragStart={(e) => { setDragging(r.id); e.dataTransfer?.setData("text/plain", String(r.id)); }}
                onDragEnd={() => setDragging(null)}
                onDragOver={(e) => { if (dragging !== null && r.position > 0 && r.position < myTop) e.preventDefault(); }}
                onDrop={(e) => {
                  e.preventDefault();
                  const moving = roles.find((x) => x.id === dragging);
                  setDragging(null);
                  if (moving && moving.id !== r.id) void move(moving, r.position);
                }}>
                {can && <span class="drag-handle" aria-hidden="true" title={tg("dragHandle", { name: r.name })}>⠿</span>}
                <button type="button" class="role-pick" aria-current={role?.id === r.id ? "true" : undefined}
                  onClick={() => setSelected(r.id)}>
                  <span class="role-dot" style={{ background: colorHex(r.color) ?? "var(--muted)" }} aria-hidden="true" />
                  <span class="role-name">{r.name}</span>
                  <span class="muted small">{tg("roleMembers", { n: count })}</span>
                </button>
                {can && (
                  <span class="role-move">
                    <button type="button" class="icon small" aria-label={tg("moveUp", { name: r.name })}
                      disabled={r.position + 1 > maxPos || r.position + 1 >= myTop} onClick={() => move(r, r.position + 1)}>▲</button>
                    <button type="button" class="icon small" aria-label={tg("moveDown", { name: r.name })}
                      disabled={r.position <= 1} onClick={() => move(r, r.position - 1)}>▼</button>
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </div>
      {role && <RoleEditor key={role.id} guild={guild} role={role} editable={manageable(role)} viewer={perms}
        onDeleted={() => setSelected(null)} />}
    </div>
  );
}

function RoleEditor({ guild, role, editable, viewer, onDeleted }: {
  guild: Guild; role: Role; editable: boolean; viewer: bigint; onDeleted: () => void;
}) {
  const everyone = role.position === 0;
  const [name, setName] = useState(role.name);
  const [color, setColor] = useState(role.color);
  const [hoist, setHoist] = useState(role.hoist);
  const [mentionable, setMentionable] = useState(role.mentionable);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => setSaved(false), [name, color, hoist, mentionable]);

  async function save(e: Event) {
    e.preventDefault();
    setErrors({});
    const body: Partial<Role> = {};
    if (!everyone && name.trim() !== role.name) body.name = name.trim();
    if (!everyone && color !== role.color) body.color = color;
    if (!everyone && hoist !== role.hoist) body.hoist = hoist;
    if (!everyone && mentionable !== role.mentionable) body.mentionable = mentionable;
    try {
      if (Object.keys(body).length) upsertRole(await gov.updateRole(guild.id, role.id, body));
      setSaved(true);
    } catch (err) { setErrors(errorsFrom(err, ["name", "color", "hoist", "mentionable"])); }
  }

  // Shown at once; the server's answer (or refusal) settles it.
  const [draft, setDraft] = useState<string | null>(null);
  async function toggle(p: Parameters<typeof toggleBit>[1], on: boolean) {
    const next = toggleBit(draft ?? role.permissions, p, on);
    setDraft(next);
    setBusy(true);
    try {
      upsertRole(await gov.updateRole(guild.id, role.id, { permissions: next }));
    } catch (err) { showError(err); } finally { setBusy(false); setDraft(null); }
  }

  return (
    <section class="role-editor" aria-label={tg("editRole", { name: role.name })}>
      <h3>{tg("editRole", { name: role.name })}</h3>
      {everyone && <p class="muted">{tg("everyoneHint")}</p>}
      {!editable && <p class="muted" role="note">{tg("cannotEditRole")}</p>}
      {!everyone && (
        <form class="settings-form" onSubmit={save} noValidate>
          <fieldset disabled={!editable} class="plain">
            <Field id="role-name" label={tg("roleName")} value={name} onInput={setName} error={errors.name}
              maxLength={100} required />
            <div class="field">
              <label for="role-color">{tg("roleColor")}</label>
              <div class="row">
                <input id="role-color" type="color" value={colorHex(color) ?? "#99aab5"}
                  onInput={(e) => setColor(parseInt((e.currentTarget as HTMLInputElement).value.slice(1), 16))} />
                <button type="button" class="link" onClick={() => setColor(0)} aria-pressed={color === 0}>{tg("noColor")}</button>
              </div>
            </div>
            <div class="field check">
              <input id="role-hoist" type="checkbox" role="switch" class="switch" checked={hoist}
                onChange={(e) => setHoist((e.currentTarget as HTMLInputElement).checked)} />
              <label for="role-hoist">{tg("hoist")}</label>
            </div>
            <div class="field check">
              <input id="role-mentionable" type="checkbox" role="switch" class="switch" checked={mentionable}
                onChange={(e) => setMentionable((e.currentTarget as HTMLInputElement).checked)} />
              <label for="role-mentionable">{tg("mentionable")}</label>
            </div>
            {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
            <div class="row">
              <button type="submit" class="primary">{tg("saveChanges")}</button>
              {confirming ? (
                <>
                  <span role="alert">{tg("confirmDeleteRole", { name: role.name })}</span>
                  <button type="button" onClick={() => setConfirming(false)}>{t("cancel")}</button>
                  <button type="button" class="danger" onClick={async () => {
                    try { await gov.deleteRole(guild.id, role.id); dropRole(guild.id, role.id); onDeleted(); } catch (e) { showError(e); }
                  }}>{t("confirm")}</button>
                </>
              ) : <button type="button" class="danger" onClick={() => setConfirming(true)}>{tg("deleteRole")}</button>}
            </div>
            {saved && <p class="ok" role="status">{tg("saved")}</p>}
          </fieldset>
        </form>
      )}
      <h3>{tg("permissions")}</h3>
      <RoleToggles groups={ROLE_GROUPS} bits={parseBits(draft ?? role.permissions)} viewer={viewer}
        disabled={!editable || busy} onToggle={toggle} />
    </section>
  );
}
