import type { ComponentChild } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { formatTime, t } from "../../i18n";
import { MessageButton } from "../dms/MessageButton";
import { tg } from "../../i18n-gov";
import { displayName, groupMembers, isTimedOut, nameColor } from "../../perms";
import { useStore } from "../../store";
import type { Guild, Member, Role } from "../../types";
import { Avatar } from "../Avatar";
import { MemberMenu, useMemberActions } from "./MemberActions";

/** The members panel: online members under their highest hoisted role, then online, then offline. */
export function MemberList({ guild, close }: { guild: Guild; close: ComponentChild }) {
  const members = useStore((s) => s.members[guild.id]) ?? [];
  const roles = useStore((s) => s.roles[guild.id]) ?? [];
  const presence = useStore((s) => s.presence);
  // Cut off from the server, you are not online to anyone: do not show yourself so.
  const cutOff = useStore((s) => (s.connection === "offline" ? s.me?.id : undefined));
  const status = (m: Member) => (m.id === cutOff ? "offline" : presence[m.username] ?? m.status ?? "offline");
  const groups = groupMembers(members, roles, (m) => status(m) === "online");
  return (
    <aside class="panel" aria-label={t("members")}>
      <div class="panel-head"><h2>{t("members")}</h2>{close}</div>
      {groups.map((g) => {
        const title = g.role?.name ?? (g.key === "online" ? t("online") : t("offline"));
        return (
          <section key={g.key} aria-label={`${title} — ${g.members.length}`}>
            <h3 class="panel-sub">{title} — {g.members.length}</h3>
            <ul class="member-list">
              {g.members.map((m) => <MemberRow key={m.id} guild={guild} member={m} roles={roles} status={status(m)} />)}
            </ul>
          </section>
        );
      })}
    </aside>
  );
}

function MemberRow({ guild, member, roles, status }: { guild: Guild; member: Member; roles: Role[];
  status: "online" | "offline" }) {
  const actions = useMemberActions(guild, member);
  const me = useStore((s) => s.me?.id);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const name = displayName(member);
  const timedOut = isTimedOut(member);
  // Re-render when a time out ends, so the mark goes.
  const [, tick] = useState(0);
  useEffect(() => {
    if (!timedOut) return;
    const id = setTimeout(() => tick((n) => n + 1), Date.parse(member.communication_disabled_until!) - Date.now() + 50);
    return () => clearTimeout(id);
  }, [member.communication_disabled_until]);
  const body = (
    <>
      <Avatar name={name} src={member.avatar} status={status} />
      <span class="member-name" style={{ color: nameColor(member, roles) }}>{name}</span>
      {member.id === guild.owner_id && <span title="owner" aria-label="owner">👑</span>}
      {timedOut && (
        <span class="timeout-mark" title={tg("memberTimedOut", { when: formatTime(member.communication_disabled_until!) })}
          aria-label={tg("memberTimedOut", { when: formatTime(member.communication_disabled_until!) })}>⏱</span>
      )}
      <span class="sr-only">{status === "online" ? t("online") : t("offline")}</span>
    </>
  );
  const closeMenu = () => { setOpen(false); button.current?.focus(); };
  return (
    <li class={`member ${status}`} data-testid="member" data-member={member.username}>
      {actions.length === 0 ? <span class="member-body">{body}</span> : (
        <button type="button" ref={button} class="member-body" aria-haspopup="menu" aria-expanded={open}
          aria-label={tg("memberActions", { name })}
          onClick={() => setOpen(!open)}
          onContextMenu={(e) => { e.preventDefault(); setOpen(true); }}>
          {body}
        </button>
      )}
      {member.id !== me && <MessageButton userId={member.id} name={member.username} />}
      {open && <MemberMenu guild={guild} member={member} actions={actions} onClose={closeMenu} />}
    </li>
  );
}
