// Signing in and out, and what the first screen needs after sign-in.
import { api } from "../api";
import { t } from "../i18n";
import { navigate } from "../nav";
import * as rt from "../realtime";
import { getState, resetState, setState, toast } from "../store";
import { attempt, currentChannelId } from "./common";
import { loadGuilds, openGuild } from "./guilds";
import { openChannel } from "./messages";
import { enter, loadReadStates, resetReadStates } from "./readstates";

// Coming back to the tab reads the channel on screen (with the divider where reading stopped).
if (typeof document !== "undefined") {
  document.addEventListener("visibilitychange", () => {
    const cid = currentChannelId();
    if (document.visibilityState === "visible" && cid !== undefined) enter(cid);
  });
}

api.onRetry = (ms) => toast(t("retryIn", { s: Math.ceil(ms / 1000) }), "info");
api.onUnauthorized = () => {
  if (getState().me) signedOut();
};

export async function boot(): Promise<void> {
  try {
    const me = await api.me();
    api.csrf = me.csrf_token;
    setState({ me, booting: false });
    await afterSignIn();
  } catch {
    setState({ booting: false, me: null });
  }
}

/** Asks the server whether the session still holds; a 401 signs the user out. */
export async function checkSession(): Promise<void> {
  try {
    await api.me();
  } catch { /* 401 is handled by api.onUnauthorized; a network error changes nothing */ }
}

export async function signedIn(me: { id: number; username: string; csrf_token?: string }): Promise<void> {
  api.csrf = me.csrf_token;
  setState({ me, booting: false });
  await afterSignIn();
}

/**
 * Everything the first screen needs, asked for at once: the guild list (and each
 * guild's channels), and for a channel route its guild's channels, members, roles,
 * emojis and its newest page, without waiting for the guild list or the first render
 * (the screen's own openGuild/openChannel then share these requests). The friends are
 * read when the socket first connects (actions/live.ts): a read before that could
 * miss a request sent meanwhile, and one read is enough.
 */
async function afterSignIn(): Promise<void> {
  void loadReadStates();
  rt.connect();
  const r = getState().route;
  const first: Promise<unknown>[] = [loadGuilds()];
  if (r.name === "channels" && r.guildId) first.push(openGuild(r.guildId));
  if (r.name === "channels" && r.channelId) first.push(openChannel(r.channelId));
  await Promise.all(first);
}

export async function logout(): Promise<void> {
  await attempt(() => api.logout());
  signedOut();
}

function signedOut(): void {
  rt.disconnect();
  resetReadStates();
  api.csrf = undefined;
  resetState({ theme: getState().theme, lang: getState().lang });
  navigate("/login");
}
