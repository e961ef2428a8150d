// One app-wide store: a plain object replaced on every change, and a hook that
// re-renders a component only when the slice it selected changed.
import { useEffect, useState } from "preact/hooks";
import type { Lang } from "./i18n";
import { getLang } from "./i18n";
import type { Route } from "./router";
import { parseRoute } from "./router";
import type {
  Channel, Emoji, FriendStatus, Guild, Member, Message, Role, SearchHit, Sticker, User,
} from "./types";
import { emptyUnread, type UnreadState } from "./unread";

export interface ChannelMessages {
  items: Message[];
  loaded: boolean;
  loadingOlder: boolean;
  loadingNewer: boolean;
  hasMoreBefore: boolean;
  /** true when the loaded window is not the newest messages (after jumping to a search hit) */
  hasMoreAfter: boolean;
  /** This window's identity: a page fetched for a window that has since been replaced
   *  (jump to a hit, jump to present) must not be merged into its successor. */
  window: number;
}

export interface Upload {
  id: number;
  name: string;
  progress: number;
  path?: string;
  mimetype?: string;
  preview?: boolean;
  size?: number;
  error?: string;
}

export interface Toast {
  id: number;
  text: string;
  kind: "error" | "info";
}

export type Panel = "members" | "pins" | "search" | null;

/** The full-screen settings on top of the shell (a modal dialog may open over them). */
export type Settings =
  | { kind: "server"; guildId: number; page?: string }
  | { kind: "channel"; guildId: number; channelId: number; page?: string }
  | { kind: "user"; page?: string };

export interface State {
  booting: boolean;
  me: User | null;
  route: Route;
  lang: Lang;
  theme: "dark" | "light";
  guilds: Guild[];
  guildsLoaded: boolean;
  channels: Record<number, Channel[]>;
  members: Record<number, Member[]>;
  /** Each guild's roles, by guild id (loaded when the guild is opened). */
  roles: Record<number, Role[]>;
  emojis: Record<number, Emoji[]>;
  stickers: Record<number, Sticker[]>;
  messages: Record<number, ChannelMessages>;
  typing: Record<number, Record<string, number>>;
  unread: UnreadState;
  friends: FriendStatus;
  presence: Record<string, "online" | "offline">;
  connection: "connecting" | "connected" | "offline";
  toasts: Toast[];
  uploads: Record<number, Upload[]>;
  editing: number | null;
  highlight: number | null;
  panel: Panel;
  pins: Message[] | null;
  search: { q: string; results: SearchHit[] | null; loading: boolean };
  modal: { kind: string; data?: unknown } | null;
  settings: Settings | null;
  drawer: boolean;
  /** The message being answered, per channel (the reply bar above the composer). */
  replying: Record<number, Message>;
}

function storedTheme(): "dark" | "light" {
  try {
    return localStorage.getItem("theme") === "light" ? "light" : "dark";
  } catch {
    return "dark";
  }
}

export function initialState(): State {
  return {
    booting: true,
    me: null,
    route: typeof location === "undefined" ? { name: "home" } : parseRoute(location.pathname, location.search),
    lang: getLang(),
    theme: typeof localStorage === "undefined" ? "dark" : storedTheme(),
    guilds: [],
    guildsLoaded: false,
    channels: {},
    members: {},
    roles: {},
    emojis: {},
    stickers: {},
    messages: {},
    typing: {},
    unread: emptyUnread(),
    friends: { friends: [], pending_in: [], pending_out: [] },
    presence: {},
    connection: "connecting",
    toasts: [],
    uploads: {},
    editing: null,
    highlight: null,
    panel: "members",
    pins: null,
    search: { q: "", results: null, loading: false },
    modal: null,
    settings: null,
    drawer: false,
    replying: {},
  };
}

let state: State = initialState();
const listeners = new Set<() => void>();

export function getState(): State {
  return state;
}

export function setState(patch: Partial<State> | ((s: State) => Partial<State>)): void {
  const p = typeof patch === "function" ? patch(state) : patch;
  state = { ...state, ...p };
  for (const l of listeners) l();
}

export function resetState(keep: Partial<State> = {}): void {
  state = { ...initialState(), booting: false, ...keep };
  for (const l of listeners) l();
}

export function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function useStore<T>(select: (s: State) => T): T {
  const [, force] = useState(0);
  const [value] = useState(() => ({ current: select(state), select }));
  // The subscription reads the latest selector: one that closes over props (a row's
  // message id, which changes when a sent message is acked) must not go stale.
  value.select = select;
  value.current = select(state);
  useEffect(() => {
    const check = () => {
      const next = value.select(state);
      if (!Object.is(next, value.current)) {
        value.current = next;
        force((n) => n + 1);
      }
    };
    const unsubscribe = subscribe(check);
    // Effects run after paint: a change between the render and now would be missed.
    check();
    return unsubscribe;
  }, []);
  return value.current;
}

/** Updates one channel's message window. */
export function patchChannel(channelId: number,
  fn: (c: ChannelMessages) => Partial<ChannelMessages>): void {
  setState((s) => {
    const cur = s.messages[channelId] ?? emptyChannel();
    return { messages: { ...s.messages, [channelId]: { ...cur, ...fn(cur) } } };
  });
}

let windowSeq = 0;
export function emptyChannel(): ChannelMessages {
  return { items: [], loaded: false, loadingOlder: false, loadingNewer: false,
    hasMoreBefore: true, hasMoreAfter: false, window: ++windowSeq };
}

/** Like patchChannel, for the answer to a request made for window `win`: dropped when
 *  the channel's window was replaced while the request was out. */
export function patchWindow(channelId: number, win: number,
  fn: (c: ChannelMessages) => Partial<ChannelMessages>): void {
  patchChannel(channelId, (c) => (c.window === win ? fn(c) : {}));
}

let toastSeq = 0;
export function toast(text: string, kind: Toast["kind"] = "error"): void {
  // The same words already on screen (several calls failing for one cause, say a
  // server that is gone) are said once.
  if (state.toasts.some((x) => x.text === text && x.kind === kind)) return;
  const id = ++toastSeq;
  setState((s) => ({ toasts: [...s.toasts, { id, text, kind }].slice(-4) }));
  setTimeout(() => setState((s) => ({ toasts: s.toasts.filter((x) => x.id !== id) })), 6000);
}
