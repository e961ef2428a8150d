import { useEffect } from "preact/hooks";
import { openGuild } from "../actions/guilds";
import { openChannel } from "../actions/messages";
import { t } from "../i18n";
import { channelToOpen, rememberChannel } from "../lastchannel";
import { navigate } from "../nav";
import { channelPath } from "../router";
import { visibleChannels } from "../roles";
import { setState, useStore } from "../store";
import { badgeText, pendingName } from "../unreadname";
import { ChannelList } from "./ChannelList";
import { ChatPane } from "./ChatPane";
import { DmList } from "./dms/DmList";
import { FriendsPanel } from "./Friends";
import { GuildRail } from "./GuildRail";
import { MemberActionModal } from "./members/MemberActions";
import { ImageViewerHost } from "./ImageViewer";
import { lazy } from "./lazy";
import { Modals } from "./Modals";
import { QuickSwitcherHost } from "./QuickSwitcher";
import { SidePanel } from "./SidePanel";
import { UserBar } from "./UserBar";

// Not needed to read messages: fetched the first time one of them opens.
const Settings = lazy(() => import("./settings/Settings").then((m) => m.Settings));
const EditHistory = lazy(() => import("./EditHistory").then((m) => m.EditHistoryHost));

function SettingsHost() {
  return useStore((s) => !!s.settings) ? <Settings /> : null;
}

function EditHistoryHost() {
  return useStore((s) => s.modal?.kind === "editHistory") ? <EditHistory /> : null;
}

export function Shell() {
  const route = useStore((s) => s.route);
  const drawer = useStore((s) => s.drawer);
  const panel = useStore((s) => s.panel);
  const guildId = route.name === "channels" ? route.guildId : undefined;
  const channelId = route.name === "channels" ? route.channelId : undefined;
  const guild = useStore((s) => s.guilds.find((g) => g.id === guildId));
  const channels = useStore((s) => (guildId && s.channels[guildId] ? visibleChannels(s, guildId) : undefined));
  const guildsLoaded = useStore((s) => s.guildsLoaded);

  useEffect(() => {
    if (guildId) void openGuild(guildId);
    setState({ pins: null, panel: getPanelDefault() });
  }, [guildId]);

  useEffect(() => {
    if (channelId) void openChannel(channelId);
    if (guildId && channelId) rememberChannel(guildId, channelId);
    setState((s) => ({ pins: null, panel: s.panel === "pins" ? getPanelDefault() : s.panel }));
  }, [channelId]);

  // /channels/<guild> opens the channel last open there, else its first text channel.
  useEffect(() => {
    if (guildId && !channelId && channels) {
      const open = channelToOpen(guildId, channels);
      if (open) navigate(channelPath(guildId, open), true);
    }
  }, [guildId, channelId, channels]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setState({ drawer: false });
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  // Guild 0 is the Direct Messages home (/channels/@me): its channels are the DMs.
  const isDm = guildId === 0;
  let main;
  if (route.name === "friends" || route.name === "home" || (isDm && !channelId)) main = <FriendsPanel />;
  else if (isDm) main = <ChatPane guildId={0} channelId={channelId} />;
  else if (route.name === "channels" && guildsLoaded && !guild) {
    main = <section class="chat empty"><p>{t("notFound")}</p></section>;
  } else if (route.name === "channels") main = <ChatPane guildId={route.guildId} channelId={channelId} />;
  else main = <section class="chat empty"><p>{t("notFound")}</p></section>;

  return (
    <div class={`shell ${drawer ? "drawer-open" : ""} ${panel ? "panel-open" : ""}`}>
      <a class="skip-link" href="#main" onClick={skipToContent}>{t("skipToContent")}</a>
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
      <SettingsHost />
      <Modals />
      <EditHistoryHost />
      <MemberActionModal />
      <QuickSwitcherHost />
      <ImageViewerHost />
    </div>
  );
}

/** The skip link lands on the composer, else on the conversation (or friends) itself. */
function skipToContent(e: MouseEvent) {
  e.preventDefault();
  const target = document.querySelector<HTMLElement>(".composer textarea")
    ?? document.querySelector<HTMLElement>(".shell > .chat");
  if (!target) return;
  if (target.tabIndex < 0 && !target.hasAttribute("tabindex")) target.tabIndex = -1;
  target.focus();
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
            aria-label={pendingIn > 0 ? pendingName(t("friends"), pendingIn) : undefined}
            onClick={(e) => { e.preventDefault(); navigate("/friends"); }}>
            <span aria-hidden="true">👥</span> {t("friends")}
            {pendingIn > 0 && <>{" "}<span class="badge" aria-hidden="true">{badgeText(pendingIn)}</span></>}
          </a>
        </li>
      </ul>
      <DmList />
    </nav>
  );
}
