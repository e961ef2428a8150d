import { t } from "../i18n";
import { linkClick } from "../nav";
import { channelPath } from "../router";
import { setState, useStore } from "../store";
import type { Channel, Guild } from "../types";
import { isUnread } from "../unread";

export interface ChannelGroup {
  category: Channel | null;
  channels: Channel[];
}

/** Channels without a category first, then each category with its channels, by position. */
export function groupChannels(list: Channel[]): ChannelGroup[] {
  const cats = list.filter((c) => c.type === "category");
  const inCat = (id: number | null) =>
    list.filter((c) => c.type !== "category" && (c.category_id ?? null) === id);
  const known = new Set(cats.map((c) => c.id));
  const loose = list.filter((c) => c.type !== "category"
    && (c.category_id == null || !known.has(c.category_id)));
  return [{ category: null, channels: loose }, ...cats.map((c) => ({ category: c, channels: inCat(c.id) }))];
}

export function ChannelList({ guild }: { guild: Guild }) {
  const channels = useStore((s) => s.channels[guild.id]) ?? [];
  const me = useStore((s) => s.me);
  const route = useStore((s) => s.route);
  const unread = useStore((s) => s.unread);
  const owner = me?.id === guild.owner_id;
  const current = route.name === "channels" ? route.channelId : undefined;
  const modal = (kind: string, data?: unknown) => setState({ modal: { kind, data } });

  return (
    <nav class="channels" aria-label={`${t("channels")}: ${guild.name}`}>
      <div class="guild-head">
        <h2 class="guild-title">{guild.name}</h2>
        <button class="icon" aria-label={t("invite")} title={t("invite")}
          onClick={() => modal("invite", guild.id)}>
          <span aria-hidden="true">✉</span>
        </button>
        <button class="icon" aria-label={t("guildSettings")} title={t("guildSettings")}
          onClick={() => modal("guildSettings", guild.id)}>
          <span aria-hidden="true">⚙</span>
        </button>
      </div>
      {owner && (
        <div class="channel-tools">
          <button class="link" onClick={() => modal("createChannel", { guildId: guild.id, type: "text" })}>
            + {t("createChannel")}
          </button>
          <button class="link" onClick={() => modal("createChannel", { guildId: guild.id, type: "category" })}>
            + {t("createCategory")}
          </button>
        </div>
      )}
      {groupChannels(channels).map((g) => (
        <section key={g.category?.id ?? "none"} class="channel-group"
          aria-label={g.category?.name ?? t("textChannels")}>
          {g.category && (
            <div class="category">
              <h3>{g.category.name}</h3>
              {owner && (
                <>
                  <button class="icon small" aria-label={`${t("createChannel")}: ${g.category.name}`}
                    onClick={() => modal("createChannel", { guildId: guild.id, type: "text",
                      categoryId: g.category!.id })}>+</button>
                  <button class="icon small" aria-label={`${t("channelSettings")}: ${g.category.name}`}
                    onClick={() => modal("channelSettings", g.category)}>⚙</button>
                </>
              )}
            </div>
          )}
          <ul>
            {g.channels.map((c) => {
              const un = c.id !== current && isUnread(unread, c.id);
              return (
                <li key={c.id} class="channel-row">
                  {c.type === "voice" ? (
                    // Voice is not offered by this client: listed (so people know it
                    // exists) but not a link into a text view where every send fails.
                    <span class="channel voice" aria-disabled="true" data-channel={c.name}
                      title={t("voiceUnavailable")}
                      aria-label={`${c.name} (${t("voiceChannel")}: ${t("voiceUnavailable")})`}>
                      <span class="hash" aria-hidden="true">🔊</span>
                      <span class="name">{c.name}</span>
                    </span>
                  ) : (
                  <a href={channelPath(guild.id, c.id)} onClick={linkClick}
                    class={`channel ${c.id === current ? "active" : ""} ${un ? "unread" : ""}`}
                    aria-current={c.id === current ? "page" : undefined}
                    aria-label={`${c.name}${un ? ` (${t("unread")})` : ""}`} data-channel={c.name}>
                    <span class="hash" aria-hidden="true">#</span>
                    <span class="name">{c.name}</span>
                    {c.read_only && <span aria-hidden="true" title={t("readOnly")}>🔒</span>}
                    {un && <span class="dot" aria-hidden="true" />}
                  </a>
                  )}
                  {owner && (
                    <button class="icon small row-tool" aria-label={`${t("channelSettings")}: ${c.name}`}
                      onClick={() => modal("channelSettings", c)}>⚙</button>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </nav>
  );
}
