// A small, safe Markdown subset turned into Preact nodes. User text only ever becomes
// text nodes or attributes Preact escapes; there is no HTML parsing anywhere.
import { h, type ComponentChild } from "preact";
import { useState } from "preact/hooks";
import { tf } from "./i18n-features";
import { matchMention, type MentionToken } from "./mentions";

export type MdNode =
  | { t: "text"; text: string }
  | { t: "code"; text: string }
  | { t: "codeblock"; text: string; lang?: string }
  | { t: "bold"; children: MdNode[] }
  | { t: "italic"; children: MdNode[] }
  | { t: "strike"; children: MdNode[] }
  | { t: "spoiler"; children: MdNode[] }
  | { t: "quote"; children: MdNode[] }
  | { t: "link"; href: string; children: MdNode[] }
  | { t: "emoji"; name: string; src: string }
  | { t: "mention"; token: MentionToken };

/** How a mention is drawn (names come from the store); without one it stays text. */
export type MentionRender = (token: MentionToken, key: number) => ComponentChild;

/** Custom emojis of the guild: name → image URL. */
export type EmojiMap = Record<string, string>;

const MAX_DEPTH = 4;
const URL_RE = /^https?:\/\/[^\s<>"]*[^\s<>".,:;'!?)\]]/i;
const MD_LINK_RE = /^\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)/i;
const EMOJI_RE = /^:([A-Za-z0-9_]{2,32}):/;
const LANG_RE = /^([\w+#.-]{1,20})\n/;

/** The URL if it is an absolute http(s) URL, else null: never javascript:, data:, ... */
export function safeHref(raw: string): string | null {
  try {
    const u = new URL(raw);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

function isWordChar(c: string | undefined): boolean {
  return !!c && /[\p{L}\p{N}_]/u.test(c);
}

export function tokenize(src: string, emojis: EmojiMap = {}, depth = 0, links = true): MdNode[] {
  const out: MdNode[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ t: "text", text });
    text = "";
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const rest = src.slice(i);
    // "> " at the start of a line quotes that line (and the quoted lines right after
    // it); ">>> " quotes everything to the end. Only at the top level: no quotes in bold.
    if (depth === 0 && c === ">" && (i === 0 || src[i - 1] === "\n") && /^>(>>)? /.test(rest)) {
      flush();
      const q = quoteBlock(src, i);
      out.push({ t: "quote", children: tokenize(q.body, emojis, depth + 1, links) });
      i = q.end;
      continue;
    }
    if (rest.startsWith("```")) {
      const end = src.indexOf("```", i + 3);
      if (end > i + 3) {
        flush();
        let body = src.slice(i + 3, end);
        const lang = LANG_RE.exec(body);
        let node: MdNode = { t: "codeblock", text: body };
        if (lang) {
          body = body.slice(lang[0].length);
          node = { t: "codeblock", text: body, lang: lang[1] };
        } else if (body.startsWith("\n")) {
          node = { t: "codeblock", text: body.slice(1) };
        }
        out.push(node);
        i = end + 3;
        continue;
      }
    }
    if (c === "`") {
      const end = src.indexOf("`", i + 1);
      if (end > i + 1) {
        flush();
        out.push({ t: "code", text: src.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (depth < MAX_DEPTH && rest.startsWith("**")) {
      const end = src.indexOf("**", i + 2);
      if (end > i + 2) {
        flush();
        out.push({ t: "bold", children: tokenize(src.slice(i + 2, end), emojis, depth + 1, links) });
        i = end + 2;
        continue;
      }
    }
    const pair = c === "~" ? "~~" : c === "|" ? "||" : null;
    if (pair && depth < MAX_DEPTH && rest.startsWith(pair)) {
      const end = src.indexOf(pair, i + 2);
      if (end > i + 2) {
        flush();
        out.push({ t: pair === "~~" ? "strike" : "spoiler",
          children: tokenize(src.slice(i + 2, end), emojis, depth + 1, links) });
        i = end + 2;
        continue;
      }
    }
    if (depth < MAX_DEPTH && (c === "*" || c === "_") && src[i + 1] !== c && src[i + 1] !== " ") {
      // "_" inside words (snake_case) is not emphasis.
      const opens = c === "*" || !isWordChar(src[i - 1]);
      const end = opens ? findCloser(src, c, i + 1) : -1;
      if (end > i + 1) {
        flush();
        out.push({ t: "italic", children: tokenize(src.slice(i + 1, end), emojis, depth + 1, links) });
        i = end + 1;
        continue;
      }
    }
    if (links && c === "[") {
      const m = MD_LINK_RE.exec(rest);
      const href = m && safeHref(m[2]);
      if (m && href) {
        flush();
        out.push({ t: "link", href, children: tokenize(m[1], emojis, depth + 1, false) });
        i += m[0].length;
        continue;
      }
    }
    if (links && (c === "h" || c === "H") && !isWordChar(src[i - 1])) {
      const m = URL_RE.exec(rest);
      const href = m && safeHref(m[0]);
      if (m && href) {
        flush();
        out.push({ t: "link", href, children: [{ t: "text", text: m[0] }] });
        i += m[0].length;
        continue;
      }
    }
    if (c === "<" || c === "@") {
      const token = matchMention(rest, src[i - 1]);
      if (token) {
        flush();
        out.push({ t: "mention", token });
        i += token.raw.length;
        continue;
      }
    }
    if (c === ":") {
      const m = EMOJI_RE.exec(rest);
      if (m && Object.prototype.hasOwnProperty.call(emojis, m[1])) {
        flush();
        out.push({ t: "emoji", name: m[1], src: emojis[m[1]] });
        i += m[0].length;
        continue;
      }
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

/** The quote starting at `at` (a line beginning "> " or ">>> "): its text without the
 *  markers, and where the text after it starts (past the quote's last newline). */
export function quoteBlock(src: string, at: number): { body: string; end: number } {
  if (src.startsWith(">>> ", at)) return { body: src.slice(at + 4), end: src.length };
  const lines: string[] = [];
  let i = at;
  while (i < src.length && src.startsWith("> ", i)) {
    const nl = src.indexOf("\n", i);
    const stop = nl < 0 ? src.length : nl;
    lines.push(src.slice(i + 2, stop));
    i = nl < 0 ? src.length : nl + 1;
  }
  return { body: lines.join("\n"), end: i };
}

/** Hidden text, shown on click (or Enter/Space): a toggle, announced as one. */
function Spoiler({ children }: { children: ComponentChild[] }) {
  const [open, setOpen] = useState(false);
  const reveal = () => setOpen(true);
  return h("span", {
    class: `spoiler ${open ? "revealed" : ""}`,
    role: open ? undefined : "button",
    tabIndex: open ? undefined : 0,
    "aria-label": open ? undefined : tf("spoiler"),
    "data-testid": "spoiler",
    onClick: (e: MouseEvent) => { if (!open) { e.preventDefault(); reveal(); } },
    onKeyDown: (e: KeyboardEvent) => {
      if (!open && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); reveal(); }
    },
  }, h("span", { class: "spoiler-text", "aria-hidden": open ? undefined : "true" }, children));
}

function findCloser(src: string, ch: string, from: number): number {
  for (let j = from; j < src.length; j++) {
    if (src[j] === "\n") return -1;
    if (src[j] === ch && src[j - 1] !== " " && src[j + 1] !== ch) {
      if (ch === "_" && isWordChar(src[j + 1])) continue;
      return j;
    }
  }
  return -1;
}

export function renderNodes(nodes: MdNode[], mention?: MentionRender): ComponentChild[] {
  return nodes.map((n, k) => {
    switch (n.t) {
      case "text":
        return n.text;
      case "code":
        return h("code", { key: k }, n.text);
      case "codeblock":
        return h("pre", { key: k, "data-lang": n.lang }, h("code", null, n.text));
      case "bold":
        return h("strong", { key: k }, renderNodes(n.children, mention));
      case "italic":
        return h("em", { key: k }, renderNodes(n.children, mention));
      case "strike":
        return h("s", { key: k }, renderNodes(n.children, mention));
      case "spoiler":
        return h(Spoiler, { key: k, children: renderNodes(n.children, mention) });
      case "quote":
        return h("blockquote", { key: k }, renderNodes(n.children, mention));
      case "link":
        return h("a", { key: k, href: n.href, target: "_blank", rel: "noopener noreferrer" },
          renderNodes(n.children, mention));
      case "mention":
        return mention ? mention(n.token, k) : n.token.raw;
      case "emoji":
        return h("img", { key: k, class: "emoji", src: n.src, alt: `:${n.name}:`,
          title: `:${n.name}:`, draggable: false });
    }
  });
}

/** Message text as Preact children. */
export function renderMarkdown(src: string, emojis: EmojiMap = {}, mention?: MentionRender): ComponentChild[] {
  return renderNodes(tokenize(src, emojis), mention);
}
