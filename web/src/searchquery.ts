// The search box's little language: words plus `from:` `mentions:` `has:` `before:`
// `after:` `in:` `pinned:` filters, turned into section 17's query parameters.
// Pure functions, unit-tested.
import { escapeRe } from "./mentions";

export const HAS_VALUES = ["file", "image", "link", "poll"] as const;
export const FILTER_KEYS = ["from", "mentions", "has", "before", "after", "in", "pinned"] as const;
type Key = (typeof FILTER_KEYS)[number];

export interface ParsedSearch {
  /** The words, filters taken out. */
  words: string;
  filters: { key: Key; value: string }[];
}

const TOKEN_RE = /(\S+?):(?:"([^"]*)"|(\S+))|"([^"]*)"|(\S+)/g;

/** Splits the box's text into words and `key:value` filters (values may be "quoted"). */
export function parseSearch(input: string): ParsedSearch {
  const words: string[] = [];
  const filters: ParsedSearch["filters"] = [];
  for (const m of input.matchAll(TOKEN_RE)) {
    if (m[1] !== undefined) {
      const key = m[1].toLowerCase();
      const value = m[2] ?? m[3] ?? "";
      if ((FILTER_KEYS as readonly string[]).includes(key) && value !== "") {
        filters.push({ key: key as Key, value });
        continue;
      }
      words.push(m[0]);
    } else {
      words.push(m[4] ?? m[5]);
    }
  }
  return { words: words.join(" ").trim(), filters };
}

export interface Resolver {
  /** A member's id from a name ("alice" or "@alice"). */
  user: (name: string) => number | undefined;
  /** A channel's id from a name ("general" or "#general"). */
  channel: (name: string) => number | undefined;
}

export type SearchError = { key: Key | "q"; value: string; reason: "unknown" | "invalid" | "empty" };

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The query parameters for `GET /api/search/messages`, or the first filter that
 * cannot be used (an unknown user or channel, a `has:` the server does not know).
 * `guildId` scopes the search to the guild on screen.
 */
export function searchParams(p: ParsedSearch, resolve: Resolver, guildId?: number, limit = 25):
  { params: URLSearchParams } | { error: SearchError } {
  const params = new URLSearchParams();
  if (p.words) params.set("q", p.words);
  if (guildId !== undefined) params.set("guild_id", String(guildId));
  for (const { key, value } of p.filters) {
    const bad = (reason: SearchError["reason"]) => ({ error: { key, value, reason } });
    switch (key) {
      case "from":
      case "mentions": {
        const id = resolve.user(value.replace(/^@/, ""));
        if (id === undefined) return bad("unknown");
        params.set(key === "from" ? "author_id" : "mentions", String(id));
        break;
      }
      case "in": {
        const id = resolve.channel(value.replace(/^#/, ""));
        if (id === undefined) return bad("unknown");
        params.set("channel_id", String(id));
        break;
      }
      case "has": {
        const v = value.toLowerCase();
        if (!(HAS_VALUES as readonly string[]).includes(v)) return bad("invalid");
        if (!params.getAll("has").includes(v)) params.append("has", v);
        break;
      }
      case "pinned": {
        const v = value.toLowerCase();
        if (v === "true" || v === "yes") params.set("pinned", "true");
        else if (v === "false" || v === "no") params.set("pinned", "false");
        else return bad("invalid");
        break;
      }
      case "before":
      case "after":
        if (!DATE_RE.test(value) && !TIME_RE.test(value)) return bad("invalid");
        params.set(key, value.toUpperCase());
        break;
    }
  }
  if (!p.words && p.filters.length === 0) return { error: { key: "q", value: "", reason: "empty" } };
  params.set("limit", String(limit));
  return { params };
}

/** A hit's text cut where the server's `highlights` (words as written) occur, for
 *  marking them: `[text, matched]` pieces in order, case-insensitive, whole words. */
export function highlightPieces(text: string, words: string[] = []): [string, boolean][] {
  const list = words.filter(Boolean).map(escapeRe);
  if (list.length === 0) return [[text, false]];
  const re = new RegExp(`(?<![\\p{L}\\p{N}_])(${list.join("|")})(?![\\p{L}\\p{N}_])`, "giu");
  const out: [string, boolean][] = [];
  let at = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > at) out.push([text.slice(at, m.index), false]);
    out.push([m[0], true]);
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push([text.slice(at), false]);
  return out;
}
