import { jumpTo } from "../actions";
import { formatTime, t } from "../i18n";
import { renderMarkdown } from "../markdown";
import { setState, useStore } from "../store";
import type { Guild, Member } from "../types";
import { Avatar } from "./Avatar";

export function SidePanel({ guild, channelId }: { guild: Guild; channelId?: number }) {
  const panel = useStore((s) => s.panel);
  const close = (
    <button class="icon small" aria-label={t("close")} onClick={() => setState({ panel: null })}>✕</button>
  );
  if (panel === "members") return <Members guild={guild} close={close} />;
  if (panel === "pins") return <Pins channelId={channelId} close={close} />;
  if (panel === "search") return <SearchResults close={close} />;
  return null;
}

function Members({ guild, close }: { guild: Guild; close: preact.ComponentChild }) {
  const members = useStore((s) => s.members[guild.id]) ?? [];
  const presence = useStore((s) => s.presence);
  const status = (m: Member) => presence[m.username] ?? m.status ?? "offline";
  const online = members.filter((m) => status(m) === "online");
  const offline = members.filter((m) => status(m) !== "online");
  const group = (title: string, list: Member[]) => list.length > 0 && (
    <section aria-label={`${title} — ${list.length}`}>
      <h3 class="panel-sub">{title} — {list.length}</h3>
      <ul class="member-list">
        {list.map((m) => (
          <li key={m.id} class={`member ${status(m)}`} data-testid="member">
            <Avatar name={m.username} src={m.avatar} status={status(m)} />
            <span>{m.username}</span>
            {m.id === guild.owner_id && <span title="owner" aria-label="owner">👑</span>}
            <span class="sr-only">{status(m) === "online" ? t("online") : t("offline")}</span>
          </li>
        ))}
      </ul>
    </section>
  );
  return (
    <aside class="panel" aria-label={t("members")}>
      <div class="panel-head"><h2>{t("members")}</h2>{close}</div>
      {group(t("online"), online)}
      {group(t("offline"), offline)}
    </aside>
  );
}

function Pins({ channelId, close }: { channelId?: number; close: preact.ComponentChild }) {
  const pins = useStore((s) => s.pins);
  return (
    <aside class="panel" aria-label={t("pins")}>
      <div class="panel-head"><h2>{t("pins")}</h2>{close}</div>
      {pins === null ? <p class="muted" role="status">{t("loading")}</p>
        : pins.length === 0 ? <p class="muted">{t("noPins")}</p> : (
          <ul class="result-list" data-testid="pins">
            {pins.map((m) => (
              <li key={m.id}>
                <button class="result" onClick={() => channelId && jumpTo({ id: m.id, channel_id: m.channel_id, guild_id: m.guild_id })}>
                  <span class="author">{m.username}</span> <time dateTime={m.timestamp}>{formatTime(m.timestamp)}</time>
                  <span class="result-text">{renderMarkdown(m.content)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
    </aside>
  );
}

function SearchResults({ close }: { close: preact.ComponentChild }) {
  const search = useStore((s) => s.search);
  return (
    <aside class="panel" aria-label={t("search")}>
      <div class="panel-head"><h2>{t("search")}: {search.q}</h2>{close}</div>
      {search.loading ? <p role="status" class="muted">{t("loading")}</p>
        : (search.results ?? []).length === 0 ? <p class="muted">{t("noResults")}</p> : (
          <ul class="result-list" data-testid="search-results">
            {search.results!.map((r) => (
              <li key={r.id}>
                <button class="result" onClick={() => jumpTo(r)}>
                  <span class="author">{r.username}</span> <span class="muted">#{r.channel_name}</span>{" "}
                  <time dateTime={r.timestamp}>{formatTime(r.timestamp)}</time>
                  <span class="result-text">{renderMarkdown(r.content)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
    </aside>
  );
}
