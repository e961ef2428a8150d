import { jumpTo } from "../actions/messages";
import { formatTime, t } from "../i18n";
import { renderMarkdown } from "../markdown";
import { highlightPieces } from "../searchquery";
import { setState, useStore } from "../store";
import type { Guild } from "../types";
import { MemberList } from "./members/MemberList";

export function SidePanel({ guild, channelId }: { guild: Guild; channelId?: number }) {
  const panel = useStore((s) => s.panel);
  const close = (
    <button class="icon small" aria-label={t("close")} onClick={() => setState({ panel: null })}>✕</button>
  );
  if (panel === "members") return <MemberList guild={guild} close={close} />;
  if (panel === "pins") return <Pins channelId={channelId} close={close} />;
  if (panel === "search") return <SearchResults close={close} />;
  return null;
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
      <p class="muted small search-help">{t("searchHelp")}</p>
      {search.loading ? <p role="status" class="muted">{t("loading")}</p>
        : (search.results ?? []).length === 0 ? <p class="muted">{t("noResults")}</p> : (
          <ul class="result-list" data-testid="search-results">
            {search.results!.map((r) => (
              <li key={r.id}>
                <button class="result" onClick={() => jumpTo(r)}>
                  <span class="author">{r.username}</span> <span class="muted">#{r.channel_name}</span>{" "}
                  <time dateTime={r.timestamp}>{formatTime(r.timestamp)}</time>
                  <span class="result-text">{r.highlights?.length
                    ? highlightPieces(r.content, r.highlights).map(([text, on], i) => (on ? <mark key={i}>{text}</mark> : text))
                    : renderMarkdown(r.content)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
    </aside>
  );
}
