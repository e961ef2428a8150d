import type { ComponentChild } from "preact";
import { groupLabel, permDescription, permLabel, tg } from "../../i18n-gov";
import {
  canToggle, has, overwriteState, PERMS, type PermName, type Tri,
} from "../../perms";
import type { Overwrite } from "../../types";

type Groups = { key: string; perms: PermName[] }[];

/** Permissions in Discord's groups, one row each. */
function PermGroups({ groups, row }: { groups: Groups; row: (p: PermName) => ComponentChild }) {
  return (
    <div class="perm-groups">
      {groups.map((g) => (
        <fieldset key={g.key} class="perm-group">
          <legend>{groupLabel(g.key)}</legend>
          {g.perms.map(row)}
        </fieldset>
      ))}
    </div>
  );
}

/** A role's permissions as switches, grouped and described like Discord's role editor. */
export function RoleToggles({ groups, bits, viewer, disabled, onToggle }: {
  groups: Groups; bits: bigint; viewer: bigint; disabled: boolean;
  onToggle: (p: PermName, on: boolean) => void;
}) {
  return (
    <PermGroups groups={groups} row={(p) => {
            const on = has(bits, p);
            const lacks = !canToggle(viewer, p, on);
            const id = `perm-${p}`;
            return (
              <div key={p} class="perm-row">
                <div class="perm-text">
                  <label for={id}>{permLabel(p)}</label>
                  <p class="muted small" id={`${id}-desc`}>{permDescription(p)}{lacks && ` ${tg("lacksBit")}`}</p>
                </div>
                <input id={id} type="checkbox" role="switch" class="switch" checked={on}
                  disabled={disabled || lacks} aria-describedby={`${id}-desc`} data-perm={p}
                  onChange={(e) => onToggle(p, (e.currentTarget as HTMLInputElement).checked)} />
              </div>
            );
          }} />
  );
}

/** An overwrite: allow / inherit / deny per permission (radio groups). */
export function OverwriteToggles({ groups, ow, viewer, disabled, onSet, name }: {
  groups: Groups; ow: Pick<Overwrite, "allow" | "deny">; viewer: bigint;
  disabled: boolean; onSet: (p: PermName, s: Tri) => void; name: string;
}) {
  const choices: [Tri, string, string][] = [["deny", "✕", tg("deny")], ["neutral", "/", tg("neutral")], ["allow", "✓", tg("allow")]];
  return (
    <PermGroups groups={groups} row={(p) => {
            const state = overwriteState(ow, p);
            // Only bits the viewer holds in this channel may be changed.
            const locked = disabled || (viewer & PERMS[p]) !== PERMS[p];
            return (
              <div key={p} class="perm-row" role="radiogroup" aria-label={`${permLabel(p)} (${name})`}
                data-perm={p}>
                <div class="perm-text">
                  <span class="perm-name">{permLabel(p)}</span>
                  <p class="muted small">{permDescription(p)}</p>
                </div>
                <div class="tri">
                  {choices.map(([v, icon, label]) => (
                    <label key={v} class={`tri-${v} ${state === v ? "on" : ""}`} title={label}>
                      <input type="radio" name={`${name}-${p}`} value={v} checked={state === v}
                        disabled={locked} aria-label={label}
                        onChange={() => onSet(p, v)} />
                      <span aria-hidden="true">{icon}</span>
                    </label>
                  ))}
                </div>
              </div>
            );
          }} />
  );
}
