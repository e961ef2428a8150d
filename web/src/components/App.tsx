import { useEffect } from "preact/hooks";
import { navigate } from "../nav";
import { channelPath } from "../router";
import { useStore } from "../store";
import { t } from "../i18n";
import { tabTitle, unreadCount } from "../unread";
import { AuthScreen } from "./Auth";
import { ForgotPassword, ResetPassword } from "./Recovery";
import { InviteScreen } from "./Invite";
import { Shell } from "./Shell";
import { Toasts } from "./Toasts";

export function App() {
  const booting = useStore((s) => s.booting);
  const me = useStore((s) => s.me);
  const route = useStore((s) => s.route);
  const theme = useStore((s) => s.theme);
  const lang = useStore((s) => s.lang);
  const guilds = useStore((s) => s.guilds);
  const guildsLoaded = useStore((s) => s.guildsLoaded);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  // The tab says where you are and how much is waiting: "(3) #general · Guildhall".
  const title = useStore((s) => {
    const r = s.route;
    const channel = me && r.name === "channels" && r.channelId !== undefined
      ? s.channels[r.guildId]?.find((c) => c.id === r.channelId) : undefined;
    return tabTitle(t("appName"), me ? unreadCount(s.unread) : 0, channel);
  });
  useEffect(() => {
    document.title = title;
  }, [title]);

  useEffect(() => {
    if (booting) return;
    const here = location.pathname + location.search;
    if (route.name === "forgot" || route.name === "resetPassword") return; // open to everyone
    if (!me && route.name !== "login" && route.name !== "register") {
      navigate(`/login${here !== "/" ? `?next=${encodeURIComponent(here)}` : ""}`, true);
    } else if (me && (route.name === "login" || route.name === "register")) {
      navigate(route.next ?? "/", true);
    } else if (me && route.name === "home" && guildsLoaded) {
      navigate(guilds.length ? channelPath(guilds[0].id) : "/friends", true);
    }
  }, [booting, me, route, guildsLoaded, guilds.length]);

  let body;
  if (booting) body = <div class="splash" role="status">{t("loading")}</div>;
  else if (route.name === "forgot") body = <ForgotPassword />;
  else if (route.name === "resetPassword") body = <ResetPassword token={route.token} />;
  else if (!me) {
    body = <AuthScreen mode={route.name === "register" ? "register" : "login"} />;
  } else if (route.name === "invite") body = <InviteScreen code={route.code} />;
  else body = <Shell />;
  return (
    <div class="app" key={lang}>
      {body}
      <Toasts />
    </div>
  );
}
