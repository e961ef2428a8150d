// What the quick switcher (Ctrl+K) offers and in what order, and which channel Alt+↑/↓
// goes to: pure functions over the store's lists.
import { groupChannels } from "./channelorder";
import { channelPath } from "./router";
import type { Channel, Guild } from "./types";

export interface SwitchEntry {
  key: string;
  kind: "channel" | "dm" | "guild";
  label: string;
  /** The server's name for a channel; empty for the rest. */
  hint: string;
  path: string;
}

/** How well `label` matches `q` (lower is better), or -1: exact, prefix, a word's
 *  prefix, anywhere, then the letters in order ("gnrl" finds "general"). */
export function matchScore(q: string, label: string): number {
  const a = q.trim().toLowerCase().replace(/^[#@]/, "");
  const b = label.toLowerCase();
  if (!a) return 0;
  if (b === a) return 0;
  if (b.startsWith(a)) return 1;
  if (b.split(/[\s\-_.]+/).some((w) => w.startsWith(a))) return 2;
  if (b.includes(a)) return 3;
  let j = 0;
  for (const ch of b) if (ch === a[j]) j++;
  return j === a.length ? 4 : -1;
}

/** The entries matching `q`, best first; ties keep the given order (current server first). */
export function rankEntries(q: string, entries: SwitchEntry[], limit = 20): SwitchEntry[] {
  return entries
    .map((e, i) => ({ e, i, s: matchScore(q, e.label) }))
    .filter((x) => x.s >= 0)
    .sort((x, y) => x.s - y.s || x.i - y.i)
    .slice(0, limit)
    .map((x) => x.e);
}

/** Every place to go: the current server's channels first, then the other servers'
 *  (those loaded), the DMs, and the servers themselves. */
export function switchEntries(guilds: Guild[], channelsOf: (guildId: number) => Channel[],
  dms: Channel[], currentGuild?: number): SwitchEntry[] {
  const order = [...guilds].sort((a, b) => Number(b.id === currentGuild) - Number(a.id === currentGuild));
  const out: SwitchEntry[] = [];
  for (const g of order) {
    for (const c of navigableChannels(channelsOf(g.id))) {
      out.push({ key: `c${c.id}`, kind: "channel", label: c.name, hint: g.name, path: channelPath(g.id, c.id) });
    }
  }
  for (const d of dms) out.push({ key: `d${d.id}`, kind: "dm", label: d.name, hint: "", path: channelPath(null, d.id) });
  for (const g of guilds) out.push({ key: `g${g.id}`, kind: "guild", label: g.name, hint: "", path: channelPath(g.id) });
  return out;
}

/** Text channels in the order the channel list shows them (categories' channels after
 *  the loose ones); voice channels and categories are not places to read. */
export function navigableChannels(list: Channel[]): Channel[] {
  return groupChannels(list).flatMap((g) => g.channels).filter((c) => c.type !== "voice" && c.type !== "category");
}

/** The channel `step` (+1 down, -1 up) from `current` in `list`, wrapping around. */
export function stepChannel(list: Channel[], current: number | undefined, step: 1 | -1): Channel | undefined {
  if (list.length === 0) return undefined;
  const at = list.findIndex((c) => c.id === current);
  if (at < 0) return list[step > 0 ? 0 : list.length - 1];
  return list[(at + step + list.length) % list.length];
}
