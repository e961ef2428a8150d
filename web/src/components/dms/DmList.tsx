import { formatTime, t } from "../../i18n";
import { type DmEntry, dmList } from "../../dms";
import { channelLinkClick } from "../../nav";
import { channelPath } from "../../router";
import { setState, useStore } from "../../store";
import { isUnread } from "../../unread";
import { Avatar } from "../Avatar";
import { dt } from "./text";
import { lazy } from "../lazy";

// The group dialogs are fetched the first time one opens.
const GroupModals = lazy(() => import("./GroupModals").then((m) => m.DmModals));

function DmModals() {
  return useStore((s) => s.modal?.kind === "dmNewGroup" || s.modal?.kind === "dmGroupSettings")
    ? <GroupModals /> : null;
}

/** The Direct Messages list of the home sidebar: avatars, last activity, unread marks. */
export function DmList() {
  const list = useStore((s) => s.channels[0]) as DmEntry[] | undefined;
  const route = useStore((s) => s.route);
  const me = useStore((s) => s.me?.id);
  const unread = useStore((s) => s.unread);
  const presence = useStore((s) => s.presence);
  const current = route.name === "channels" && route.guildId === 0 ? route.channelId : undefined;
  const dms = list ?? dmList();
  return (
    <section class="dm-list" aria-labelledby="dm-list-title">
      <div class="dm-list-head">
        <h3 id="dm-list-title">{dt("directMessages")}</h3>
        <button class="icon small" title={dt("newGroup")} aria-label={dt("newGroup")}
          onClick={() => setState({ modal: { kind: "dmNewGroup" } })}>+</button>
      </div>
      {dms.length === 0 ? <p class="muted small dm-empty">{dt("noDms")}</p> : (
        <ul>
          {dms.map((c) => {
            const others = c.recipients.filter((u) => u.id !== me);
            const face = others[0] ?? c.recipients[0];
            const fresh = isUnread(unread, c.id);
            return (
              <li key={c.id} class="dm-row">
                <a class={`channel dm ${current === c.id ? "active" : ""} ${fresh ? "unread" : ""}`}
                  href={channelPath(0, c.id)} onClick={channelLinkClick}
                  aria-current={current === c.id ? "page" : undefined}>
                  {c.type === "group_dm"
                    ? <Avatar name={c.name} />
                    : <Avatar name={face?.username ?? "?"} src={face?.avatar}
                        status={face ? presence[face.username] ?? "offline" : undefined} />}
                  <span class="dm-text">
                    <span class="name">{c.name}</span>
                    <span class="dm-sub muted small">
                      {c.type === "group_dm" ? `${c.recipients.length} · ` : ""}
                      {c.last_activity_at ? formatTime(c.last_activity_at) : ""}
                    </span>
                  </span>
                  {/* the link's name is its text: "bob 9:15 PM (unread)" in the UI's language */}
                  {fresh && <><span class="unread-dot" aria-hidden="true" /><span class="sr-only"> ({t("unread")})</span></>}
                </a>
                {c.type === "group_dm" && (
                  <button class="icon small" title={dt("groupSettings")}
                    aria-label={`${dt("groupSettings")}: ${c.name}`}
                    onClick={() => setState({ modal: { kind: "dmGroupSettings", data: c.id } })}>⚙</button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <DmModals />
    </section>
  );
}
