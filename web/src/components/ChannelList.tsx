import { t } from "../i18n";
import { channelLinkClick } from "../nav";
import { channelPath } from "../router";
import { has } from "../perms";
import { channelPerms, useCan, visibleChannels } from "../roles";
import { setState, useStore } from "../store";
import type { Channel, Guild } from "../types";
import { isUnread } from "../unread";
import { unreadName } from "../unreadname";
import { MarkReadButton, MentionBadge } from "./Unread";
import { groupChannels } from "../channelorder";

export { groupChannels, type ChannelGroup } from "../channelorder";

export function ChannelList({ guild }: { guild: Guild }) {
  const channels = useStore((s) => visibleChannels(s, guild.id));
  const route = useStore((s) => s.route);
  const unread = useStore((s) => s.unread);
  // Creating needs MANAGE_CHANNELS guild-wide; a channel's gear shows to whoever may
  // change it or its permissions there.
  const canCreate = useCan(guild.id, "MANAGE_CHANNELS");
  const canInvite = useCan(guild.id, "CREATE_INSTANT_INVITE");
  const editableIds = useStore((s) => channels.filter((c) => {
    const p = channelPerms(s, guild.id, c);
    return has(p, "MANAGE_CHANNELS") || has(p, "MANAGE_ROLES");
  }).map((c) => c.id).join(","));
  const editable = new Set(editableIds.split(",").map(Number));
  const current = route.name === "channels" ? route.channelId : undefined;
  const modal = (kind: string, data?: unknown) => setState({ modal: { kind, data } });
  const settings = (c: Channel) => setState({ settings: { kind: "channel", guildId: guild.id, channelId: c.id } });

  return (
    <nav class="channels" aria-label={`${t("channels")}: ${guild.name}`}>
      <div class="guild-head">
        <h2 class="guild-title">{guild.name}</h2>
        {canInvite && (
          <button class="icon" aria-label={t("invite")} title={t("invite")}
            onClick={() => modal("invite", guild.id)}>
            <span aria-hidden="true">✉</span>
          </button>
        )}
        <button class="icon" aria-label={t("guildSettings")} title={t("guildSettings")}
          onClick={() => setState({ settings: { kind: "server", guildId: guild.id } })}>
          <span aria-hidden="true">⚙</span>
        </button>
      </div>
      {canCreate && (
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
              {canCreate && (
                <button class="icon small" aria-label={`${t("createChannel")}: ${g.category.name}`}
                  onClick={() => modal("createChannel", { guildId: guild.id, type: "text",
                    categoryId: g.category!.id })}>+</button>
              )}
              {editable.has(g.category.id) && (
                <button class="icon small" aria-label={`${t("channelSettings")}: ${g.category.name}`}
                  onClick={() => settings(g.category!)}>⚙</button>
              )}
            </div>
          )}
          <ul>
            {g.channels.map((c) => {
              const un = c.id !== current && isUnread(unread, c.id);
              const pings = c.id !== current ? unread.mentions[c.id] ?? 0 : 0;
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
                  <a href={channelPath(guild.id, c.id)} onClick={channelLinkClick}
                    class={`channel ${c.id === current ? "active" : ""} ${un ? "unread" : ""}`}
                    aria-current={c.id === current ? "page" : undefined}
                    aria-label={unreadName(c.name, un, pings)}
                    data-channel={c.name}>
                    <span class="hash" aria-hidden="true">#</span>
                    <span class="name">{c.name}</span>
                    {c.read_only && <span aria-hidden="true" title={t("readOnly")}>🔒</span>}
                    {un && !pings && <span class="dot" aria-hidden="true" />}
                    <MentionBadge count={pings} />
                  </a>
                  )}
                  {un && <MarkReadButton channelId={c.id} name={c.name} />}
                  {editable.has(c.id) && (
                    <button class="icon small row-tool" aria-label={`${t("channelSettings")}: ${c.name}`}
                      onClick={() => settings(c)}>⚙</button>
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
