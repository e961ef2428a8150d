import { useEffect } from "preact/hooks";
import { openChannel, openGuild } from "../actions";
import { t } from "../i18n";
import { navigate } from "../nav";
import { channelPath } from "../router";
import { setState, useStore } from "../store";
import { ChannelList } from "./ChannelList";
import { ChatPane } from "./ChatPane";
import { FriendsPanel } from "./Friends";
import { GuildRail } from "./GuildRail";
import { Modals } from "./Modals";
import { SidePanel } from "./SidePanel";
import { UserBar } from "./UserBar";

export function Shell() {
  const route = useStore((s) => s.route);
  const drawer = useStore((s) => s.drawer);
  const panel = useStore((s) => s.panel);
  const guildId = route.name === "channels" ? route.guildId : undefined;
  const channelId = route.name === "channels" ? route.channelId : undefined;
  const guild = useStore((s) => s.guilds.find((g) => g.id === guildId));
  const channels = useStore((s) => (guildId ? s.channels[guildId] : undefined));
  const guildsLoaded = useStore((s) => s.guildsLoaded);

  useEffect(() => {
    if (guildId) void openGuild(guildId);
    setState({ pins: null, panel: getPanelDefault() });
  }, [guildId]);

  useEffect(() => {
    if (channelId) void openChannel(channelId);
    setState((s) => ({ pins: null, panel: s.panel === "pins" ? getPanelDefault() : s.panel }));
  }, [channelId]);

  // /channels/<guild> opens its first text channel.
  useEffect(() => {
    if (guildId && !channelId && channels) {
      const first = channels.find((c) => c.type === "text");
      if (first) navigate(channelPath(guildId, first.id), true);
    }
  }, [guildId, channelId, channels]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setState({ drawer: false });
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  let main;
  if (route.name === "friends" || route.name === "home") main = <FriendsPanel />;
  else if (route.name === "channels" && guildsLoaded && !guild) {
    main = <section class="chat empty"><p>{t("notFound")}</p></section>;
  } else if (route.name === "channels") main = <ChatPane guildId={route.guildId} channelId={channelId} />;
  else main = <section class="chat empty"><p>{t("notFound")}</p></section>;

  return (
    <div class={`shell ${drawer ? "drawer-open" : ""} ${panel ? "panel-open" : ""}`}>
      <div class="nav-area" id="nav-area">
        <GuildRail />
        <div class="sidebar">
          {guild ? <ChannelList guild={guild} /> : <HomeSidebar />}
          <UserBar />
        </div>
      </div>
      <div class="scrim" onClick={() => setState({ drawer: false })} aria-hidden="true" />
      {main}
      {route.name === "channels" && guild && panel && <SidePanel guild={guild} channelId={channelId} />}
      <Modals />
    </div>
  );
}

function getPanelDefault() {
  return typeof matchMedia !== "undefined" && matchMedia("(max-width: 900px)").matches
    ? null : "members" as const;
}

function HomeSidebar() {
  const pendingIn = useStore((s) => s.friends.pending_in.length);
  return (
    <nav class="channels" aria-label={t("home")}>
      <h2 class="guild-title">{t("home")}</h2>
      <ul>
        <li>
          <a class="channel active" href="/friends" aria-current="page"
            onClick={(e) => { e.preventDefault(); navigate("/friends"); }}>
            <span aria-hidden="true">👥</span> {t("friends")}
            {pendingIn > 0 && <span class="badge" aria-label={`${pendingIn} ${t("pending")}`}>{pendingIn}</span>}
          </a>
        </li>
      </ul>
    </nav>
  );
}
