import { t } from "../i18n";
import { linkClick } from "../nav";
import { channelPath } from "../router";
import { setState, useStore } from "../store";
import { anyUnread } from "../unread";

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
  return (
    <nav class="rail" aria-label={t("guilds")}>
      <ul>
        <li>
          <a href="/friends" onClick={linkClick} class={`rail-item home ${current ? "" : "active"}`}
            aria-label={t("home")} title={t("home")} aria-current={current ? undefined : "page"}>
            <span aria-hidden="true">⌂</span>
            {pendingIn > 0 && <span class="badge rail-badge" aria-hidden="true">{pendingIn}</span>}
          </a>
        </li>
        <li class="rail-sep" aria-hidden="true" />
        {guilds.map((g) => {
          const ids = (channels[g.id] ?? []).map((c) => c.id);
          const isUnread = anyUnread(unread, ids);
          return (
            <li key={g.id} class={isUnread ? "unread" : ""}>
              <a href={channelPath(g.id)} onClick={linkClick}
                class={`rail-item ${g.id === current ? "active" : ""}`}
                aria-label={isUnread ? `${g.name} (${t("unread")})` : g.name} title={g.name}
                aria-current={g.id === current ? "page" : undefined}>
                <span aria-hidden="true">{initials(g.name)}</span>
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
