import { fileUrl } from "../api";
import { t } from "../i18n";
import { linkClick } from "../nav";
import { channelPath } from "../router";
import { setState, useStore } from "../store";
import { anyUnread } from "../unread";
import { mentionTotal } from "../readstates";
import { badgeText, pendingName, unreadName } from "../unreadname";
import { MentionBadge } from "./Unread";

export function initials(name: string): string {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0]).join("").toUpperCase();
}

export function GuildRail() {
  const guilds = useStore((s) => s.guilds);
  const route = useStore((s) => s.route);
  const channels = useStore((s) => s.channels);
  const unread = useStore((s) => s.unread);
  const pendingIn = useStore((s) => s.friends.pending_in.length);
  const current = route.name === "channels" ? route.guildId : undefined;
  const currentChannel = route.name === "channels" ? route.channelId : undefined;
  return (
    <nav class="rail" aria-label={t("guilds")}>
      <ul>
        <li>
          <a href="/friends" onClick={linkClick} class={`rail-item home ${current ? "" : "active"}`}
            aria-label={pendingName(t("home"), pendingIn)} title={t("home")} aria-current={current ? undefined : "page"}>
            <span class="home-glyph" aria-hidden="true" />
            {pendingIn > 0 && <span class="badge rail-badge" aria-hidden="true">{badgeText(pendingIn)}</span>}
          </a>
        </li>
        <li class="rail-sep" aria-hidden="true" />
        {guilds.map((g) => {
          const ids = (channels[g.id] ?? []).map((c) => c.id);
          const isUnread = anyUnread(unread, ids);
          const pings = mentionTotal(unread, ids.filter((id) => id !== currentChannel));
          return (
            <li key={g.id} class={isUnread ? "unread" : ""}>
              <a href={channelPath(g.id)} onClick={linkClick}
                class={`rail-item ${g.id === current ? "active" : ""}`}
                aria-label={unreadName(g.name, isUnread, pings)}
                title={g.name}
                aria-current={g.id === current ? "page" : undefined}>
                {g.icon ? <img class="rail-icon" src={fileUrl(g.icon)} alt="" />
                  // drawn by CSS, like an avatar's initial: a picture of the name, not
                  // text the link's name would have to contain ("BC" is no word of "Book club")
                  : <span class="rail-initials" aria-hidden="true" data-initials={initials(g.name)} />}
                <MentionBadge count={pings} class="rail-badge" />
              </a>
            </li>
          );
        })}
        <li>
          <button class="rail-item add" aria-label={t("createGuild")} title={t("createGuild")}
            onClick={() => setState({ modal: { kind: "createGuild" } })}>
            <span aria-hidden="true">+</span>
          </button>
        </li>
      </ul>
    </nav>
  );
}
