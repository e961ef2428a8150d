import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { showError } from "../../actions/common";
import { gov } from "../../govapi";
import { t } from "../../i18n";
import { tg } from "../../i18n-gov";
import { canActOn, canGiveRole, displayName, has, isTimedOut, type PermName } from "../../perms";
import { myMember, upsertMember, usePerms } from "../../roles";
import { setState, useStore } from "../../store";
import type { Guild, Member } from "../../types";
import { Actions, close, Modal } from "../dialogs/Modal";
import { MemberRoles } from "../settings/MembersPage";

export type MemberAction = "roles" | "timeout" | "untimeout" | "kick" | "ban";

/** What the viewer may do to this member: by permission and the role hierarchy. */
export function useMemberActions(guild: Guild, target: Member): MemberAction[] {
  const perms = usePerms(guild.id);
  const me = useStore((s) => myMember(s, guild.id));
  const roles = useStore((s) => s.roles[guild.id]) ?? [];
  const out: MemberAction[] = [];
  if (roles.some((r) => canGiveRole(guild, me, roles, r, perms))) out.push("roles");
  const can = (p: PermName) => has(perms, p) && canActOn(guild, me, target, roles);
  if (can("MODERATE_MEMBERS")) out.push(isTimedOut(target) ? "untimeout" : "timeout");
  if (can("KICK_MEMBERS")) out.push("kick");
  if (can("BAN_MEMBERS")) out.push("ban");
  return out;
}

const labels = (name: string): Record<MemberAction, string> => ({
  roles: tg("editRoles"), timeout: tg("timeout", { name }), untimeout: tg("removeTimeout"),
  kick: tg("kick", { name }), ban: tg("ban", { name }),
});

/** The member's context menu: arrow keys move, Escape closes and gives the focus back. */
export function MemberMenu({ guild, member, actions, onClose }: {
  guild: Guild; member: Member; actions: MemberAction[]; onClose: () => void;
}) {
  const ref = useRef<HTMLUListElement>(null);
  // Focus moves in before the menu is painted, and Escape closes it wherever the focus is:
  // a key pressed the moment the menu appears is never lost.
  useLayoutEffect(() => {
    ref.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const away = (e: MouseEvent) => { if (!ref.current?.contains(e.target as Node)) onClose(); };
    const escape = (e: KeyboardEvent) => { if (e.key === "Escape") { e.preventDefault(); onClose(); } };
    document.addEventListener("mousedown", away);
    document.addEventListener("keydown", escape);
    return () => {
      document.removeEventListener("mousedown", away);
      document.removeEventListener("keydown", escape);
    };
  }, []);
  const name = displayName(member);
  const text = labels(name);
  function onKeyDown(e: KeyboardEvent) {
    const items = Array.from(ref.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? []);
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
    } else if (e.key === "Escape" || e.key === "Tab") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  }
  async function run(a: MemberAction) {
    onClose();
    if (a === "untimeout") {
      try { upsertMember(guild.id, await gov.timeout(guild.id, member.id, null)); } catch (e) { showError(e); }
      return;
    }
    setState({ modal: { kind: `member:${a}`, data: { guildId: guild.id, memberId: member.id } } });
  }
  return (
    <ul class="menu" role="menu" aria-label={tg("memberActions", { name })} ref={ref} onKeyDown={onKeyDown}>
      {actions.map((a) => (
        <li key={a} role="none">
          <button type="button" role="menuitem" tabIndex={-1}
            class={a === "kick" || a === "ban" ? "danger-text" : ""} onClick={() => run(a)}>{text[a]}</button>
        </li>
      ))}
    </ul>
  );
}

export function MemberActionModal() {
  const modal = useStore((s) => s.modal);
  const data = modal?.data as { guildId: number; memberId: number } | undefined;
  const guild = useStore((s) => s.guilds.find((g) => g.id === data?.guildId));
  const member = useStore((s) => (data ? s.members[data.guildId]?.find((m) => m.id === data.memberId) : undefined));
  if (!modal?.kind.startsWith("member:") || !guild || !member) return null;
  const kind = modal.kind.slice("member:".length);
  if (kind === "kick") return <KickModal guild={guild} member={member} />;
  if (kind === "ban") return <BanModal guild={guild} member={member} />;
  if (kind === "timeout") return <TimeoutModal guild={guild} member={member} />;
  if (kind === "roles") {
    return (
      <Modal title={tg("manageRoles", { name: displayName(member) })}>
        <MemberRoles guild={guild} member={member} />
        <Actions />
      </Modal>
    );
  }
  return null;
}

function Reason({ value, onInput }: { value: string; onInput: (v: string) => void }) {
  return (
    <div class="field">
      <label for="mod-reason">{tg("reason")}</label>
      <textarea id="mod-reason" rows={2} maxLength={512} value={value}
        onInput={(e) => onInput((e.currentTarget as HTMLTextAreaElement).value)} />
    </div>
  );
}

function KickModal({ guild, member }: { guild: Guild; member: Member }) {
  const [reason, setReason] = useState("");
  return (
    <Modal title={tg("kickTitle", { name: displayName(member) })} onSubmit={async () => {
      try { await gov.kick(guild.id, member.id, reason); close(); } catch (e) { showError(e); }
    }}>
      <p class="muted">{tg("kickHint")}</p>
      <Reason value={reason} onInput={setReason} />
      <Actions submit={tg("kick", { name: displayName(member) })} />
    </Modal>
  );
}

const HOUR = 3600;
const HISTORY: [number, Parameters<typeof tg>[0]][] = [
  [0, "dontDelete"], [HOUR, "prevHour"], [6 * HOUR, "prev6h"], [12 * HOUR, "prev12h"],
  [24 * HOUR, "prev24h"], [72 * HOUR, "prev3d"], [168 * HOUR, "prev7d"],
];

function BanModal({ guild, member }: { guild: Guild; member: Member }) {
  const [reason, setReason] = useState("");
  const [seconds, setSeconds] = useState(0);
  return (
    <Modal title={tg("banTitle", { name: displayName(member) })} onSubmit={async () => {
      try { await gov.ban(guild.id, member.id, reason, seconds); close(); } catch (e) { showError(e); }
    }}>
      <div class="field">
        <label for="ban-history">{tg("deleteHistory")}</label>
        <select id="ban-history" value={String(seconds)}
          onChange={(e) => setSeconds(Number((e.currentTarget as HTMLSelectElement).value))}>
          {HISTORY.map(([s, k]) => <option key={s} value={String(s)}>{tg(k)}</option>)}
        </select>
      </div>
      <Reason value={reason} onInput={setReason} />
      <Actions submit={tg("ban", { name: displayName(member) })} />
    </Modal>
  );
}

const DURATIONS: [number, Parameters<typeof tg>[0]][] = [
  [60, "d60s"], [300, "d5m"], [600, "d10m"], [HOUR, "d1h"], [24 * HOUR, "d1d"], [168 * HOUR, "d1w"],
];

function TimeoutModal({ guild, member }: { guild: Guild; member: Member }) {
  const [reason, setReason] = useState("");
  const [seconds, setSeconds] = useState(DURATIONS[0][0]);
  return (
    <Modal title={tg("timeoutTitle", { name: displayName(member) })} onSubmit={async () => {
      const until = new Date(Date.now() + seconds * 1000).toISOString();
      try { upsertMember(guild.id, await gov.timeout(guild.id, member.id, until, reason)); close(); } catch (e) { showError(e); }
    }}>
      <p class="muted">{tg("timeoutHint")}</p>
      <fieldset class="plain durations">
        <legend>{tg("duration")}</legend>
        {DURATIONS.map(([s, k]) => (
          <label key={s} class="chip-radio">
            <input type="radio" name="duration" value={String(s)} checked={seconds === s}
              onChange={() => setSeconds(s)} /> {tg(k)}
          </label>
        ))}
      </fieldset>
      <Reason value={reason} onInput={setReason} />
      <Actions submit={t("confirm")} />
    </Modal>
  );
}
