// Mentions in Discord's syntax (docs/API.md section 16): parsing tokens for display,
// finding the word being typed for autocomplete, ranking candidates, and turning the
// names picked in the composer into tokens on send. Pure functions, unit-tested.
import type { Message } from "./types";

export type MentionToken =
  | { kind: "user"; id: number; raw: string }
  | { kind: "role"; id: number; raw: string }
  | { kind: "channel"; id: number; raw: string }
  | { kind: "everyone"; raw: "@everyone" | "@here" };

const TOKEN_RE = /^<(@!?|@&|#)(\d{1,19})>/;
const EVERYONE_RE = /^@(everyone|here)(?![\p{L}\p{N}_])/u;
const WORD = /[\p{L}\p{N}_]/u;

/** The mention at the start of `rest`; `prev` is the character before it. */
export function matchMention(rest: string, prev?: string): MentionToken | null {
  const m = TOKEN_RE.exec(rest);
  if (m) {
    const id = Number(m[2]);
    if (!Number.isSafeInteger(id)) return null;
    const kind = m[1] === "@&" ? "role" : m[1] === "#" ? "channel" : "user";
    return { kind, id, raw: m[0] };
  }
  // "a@everyone.org" is an address, not a mention.
  if (rest[0] === "@" && !(prev && WORD.test(prev))) {
    const e = EVERYONE_RE.exec(rest);
    if (e) return { kind: "everyone", raw: e[0] as "@everyone" | "@here" };
  }
  return null;
}

/** Every mention token of a text, in order (for tests and counting). */
export function parseMentions(text: string): MentionToken[] {
  const out: MentionToken[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "<" && c !== "@") continue;
    const tok = matchMention(text.slice(i), text[i - 1]);
    if (tok) {
      out.push(tok);
      i += tok.raw.length - 1;
    }
  }
  return out;
}

/** Whether a message mentions the reader: by id, a role they hold, @everyone/@here
 *  (as the server kept it), or as a reply to them (the server adds that to `mentions`;
 *  checked here too for messages sent before it did). */
export function mentionsMe(m: Pick<Message, "author_id" | "mentions" | "mention_roles"
  | "mention_everyone" | "reply_to">, meId: number | undefined, myRoles: number[] = []): boolean {
  if (meId === undefined || m.author_id === meId) return false;
  if (m.mention_everyone) return true;
  if (m.mentions?.includes(meId)) return true;
  if (m.mention_roles?.some((r) => myRoles.includes(r))) return true;
  const r = m.reply_to;
  return !!r && !("deleted" in r && r.deleted) && "author_id" in r && r.author_id === meId;
}

// --- autocomplete

export interface ActiveQuery {
  trigger: "@" | "#";
  /** What follows the trigger, up to the caret. */
  query: string;
  /** Index of the trigger character. */
  start: number;
}

const NAME_CHAR = /[\p{L}\p{N}_.\-]/u;

/** The "@name" or "#chan" word the caret is in, when it starts a word. */
export function activeQuery(text: string, caret: number): ActiveQuery | null {
  let i = caret;
  while (i > 0 && NAME_CHAR.test(text[i - 1]) && caret - i < 32) i--;
  const trigger = text[i - 1];
  if (trigger !== "@" && trigger !== "#") return null;
  const before = text[i - 2];
  if (before !== undefined && !/[\s(]/.test(before)) return null;
  return { trigger, query: text.slice(i, caret), start: i - 1 };
}

export interface Candidate {
  kind: "user" | "role" | "everyone" | "channel";
  id: number;
  /** What the composer shows: "@alice", "@Moderators", "@everyone", "#general". */
  label: string;
  /** What is sent: "<@12>", "<@&3>", "@everyone", "<#7>". */
  token: string;
}

export interface Sources {
  users: { id: number; username: string }[];
  roles: { id: number; name: string; mentionable: boolean; position: number }[];
  channels: { id: number; name: string; type: string }[];
  /** The author may use @everyone/@here (and any role). */
  everyone: boolean;
}

/** Matches for what is being typed: names starting with it first, then containing it. */
export function candidates(q: ActiveQuery, src: Sources, limit = 8): Candidate[] {
  const needle = q.query.toLowerCase();
  const all: Candidate[] = [];
  if (q.trigger === "#") {
    for (const c of src.channels) {
      if (c.type === "text") all.push({ kind: "channel", id: c.id, label: `#${c.name}`, token: `<#${c.id}>` });
    }
  } else {
    for (const u of src.users) all.push({ kind: "user", id: u.id, label: `@${u.username}`, token: `<@${u.id}>` });
    for (const r of src.roles) {
      // Position 0 is @everyone, which has its own syntax.
      if (r.position > 0 && (r.mentionable || src.everyone)) {
        all.push({ kind: "role", id: r.id, label: `@${r.name}`, token: `<@&${r.id}>` });
      }
    }
    if (src.everyone) {
      all.push({ kind: "everyone", id: 0, label: "@everyone", token: "@everyone" });
      all.push({ kind: "everyone", id: 0, label: "@here", token: "@here" });
    }
  }
  const name = (c: Candidate) => c.label.slice(1).toLowerCase();
  const starts = all.filter((c) => name(c).startsWith(needle));
  const contains = all.filter((c) => !name(c).startsWith(needle) && name(c).includes(needle));
  return [...starts, ...contains].slice(0, limit);
}

/** The text with the mention being typed replaced by the picked one (and a space). */
export function applyCandidate(text: string, q: ActiveQuery, caret: number, c: Candidate):
  { text: string; caret: number } {
  const head = text.slice(0, q.start) + c.label + " ";
  const tail = text.slice(caret).replace(/^ /, "");
  return { text: head + tail, caret: head.length };
}

/** `s` as a literal inside a RegExp. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Before sending: every "@name"/"#name" picked from the list becomes its token, and so
 * does "@username" of a known member typed by hand. Longest names first, whole words
 * only ("@al" never eats into "@alice").
 */
export function encodeMentions(text: string, picked: Candidate[],
  users: { id: number; username: string }[] = []): string {
  const byLabel = new Map<string, string>();
  for (const u of users) byLabel.set(`@${u.username}`.toLowerCase(), `<@${u.id}>`);
  for (const c of picked) byLabel.set(c.label.toLowerCase(), c.token);
  if (byLabel.size === 0) return text;
  const labels = [...byLabel.keys()].sort((a, b) => b.length - a.length).map(escapeRe);
  const re = new RegExp(`(^|[^\\p{L}\\p{N}_])(${labels.join("|")})(?![\\p{L}\\p{N}_])`, "giu");
  return text.replace(re, (_all, pre: string, label: string) => pre + (byLabel.get(label.toLowerCase()) ?? label));
}

/** Permission bits a client needs (decimal strings on the wire). */
const ADMINISTRATOR = 1n << 3n;
const MENTION_EVERYONE = 1n << 17n;

/** Whether the guild lets this member use @everyone (guild-wide, overwrites aside:
 *  the server decides per channel; this only chooses what the list offers). */
export function canMentionEveryone(isOwner: boolean, myRoleIds: number[],
  roles: { id: number; permissions: string; position: number }[]): boolean {
  if (isOwner) return true;
  for (const r of roles) {
    if (r.position !== 0 && !myRoleIds.includes(r.id)) continue;
    let bits = 0n;
    try { bits = BigInt(r.permissions); } catch { continue; }
    if (bits & (ADMINISTRATOR | MENTION_EVERYONE)) return true;
  }
  return false;
}
