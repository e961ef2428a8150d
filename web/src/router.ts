// Client-side routes on the History API; the server answers index.html for all of them.
export type Route =
  | { name: "home" }
  | { name: "login"; next?: string }
  | { name: "register"; next?: string }
  | { name: "friends" }
  | { name: "channels"; guildId: number; channelId?: number }
  | { name: "invite"; code: string }
  | { name: "forgot" }
  | { name: "resetPassword"; token: string }
  | { name: "notfound" };

export function parseRoute(pathname: string, search = ""): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const next = new URLSearchParams(search).get("next") ?? undefined;
  const safeNext = next && next.startsWith("/") && !next.startsWith("//") ? next : undefined;
  if (parts.length === 0) return { name: "home" };
  const [head, a, b] = parts;
  if (head === "login" && parts.length === 1) return { name: "login", next: safeNext };
  if (head === "register" && parts.length === 1) return { name: "register", next: safeNext };
  if (head === "friends" && parts.length === 1) return { name: "friends" };
  if (head === "forgot-password" && parts.length === 1) return { name: "forgot" };
  if (head === "reset-password" && parts.length === 1) {
    return { name: "resetPassword", token: new URLSearchParams(search).get("token") ?? "" };
  }
  if (head === "invite" && a && parts.length === 2) return { name: "invite", code: a };
  // Direct messages: /channels/@me[/<channel>], kept under guild 0 (DM_GUILD).
  if (head === "channels" && a === "@me") {
    if (!b && parts.length === 2) return { name: "channels", guildId: 0 };
    if (b && /^\d+$/.test(b) && parts.length === 3) return { name: "channels", guildId: 0, channelId: Number(b) };
  }
  if (head === "channels" && a && /^\d+$/.test(a)) {
    if (!b) return { name: "channels", guildId: Number(a) };
    if (/^\d+$/.test(b) && parts.length === 3) {
      return { name: "channels", guildId: Number(a), channelId: Number(b) };
    }
  }
  return { name: "notfound" };
}

export function channelPath(guildId: number | null, channelId?: number): string {
  const g = guildId || "@me"; // a DM: no guild
  return channelId ? `/channels/${g}/${channelId}` : `/channels/${g}`;
}
