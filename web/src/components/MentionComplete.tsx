// Mention autocomplete in the composer: typing "@al" or "#gen" opens a list of members,
// mentionable roles, @everyone/@here (when the guild lets the author use them) or text
// channels; ↑/↓ move, Enter or Tab picks, Escape closes. The composer shows names;
// `encode` turns them into Discord-syntax tokens when the message is sent.
import type { RefObject } from "preact";
import { useRef, useState } from "preact/hooks";
import { t } from "../i18n";
import {
  activeQuery, applyCandidate, candidates, canMentionEveryone, encodeMentions, type ActiveQuery,
  type Candidate,
} from "../mentions";
import { useStore } from "../store";
import type { Channel } from "../types";

export function useMentionComplete(channel: Channel, area: RefObject<HTMLTextAreaElement | null>,
  setText: (s: string) => void) {
  const gid = channel.guild_id;
  const members = useStore((s) => s.members[gid]);
  const roles = useStore((s) => s.roles[gid]);
  const channels = useStore((s) => s.channels[gid]);
  const me = useStore((s) => s.me);
  const owner = useStore((s) => s.guilds.find((g) => g.id === gid)?.owner_id === s.me?.id);
  const [query, setQuery] = useState<ActiveQuery | null>(null);
  const [index, setIndex] = useState(0);
  const picked = useRef<Candidate[]>([]);

  const myRoles = members?.find((m) => m.id === me?.id)?.roles ?? [];
  const everyone = canMentionEveryone(owner, myRoles, roles ?? []);
  const list = query ? candidates(query, {
    users: (members ?? []).filter((m) => m.id !== me?.id),
    roles: roles ?? [], channels: channels ?? [], everyone,
  }) : [];
  const open = list.length > 0;
  const listId = `mentions-${channel.id}`;

  /** Re-reads the word at the caret (after input, a click, or caret keys). */
  function update() {
    const el = area.current;
    if (!el) return;
    const q = activeQuery(el.value, el.selectionStart ?? el.value.length);
    if (q?.start !== query?.start || q?.query !== query?.query || q?.trigger !== query?.trigger) setIndex(0);
    setQuery(q);
  }

  function pick(c: Candidate) {
    const el = area.current;
    if (!el || !query) return;
    const next = applyCandidate(el.value, query, el.selectionStart ?? el.value.length, c);
    picked.current = [...picked.current.filter((p) => p.label !== c.label), c];
    setText(next.text);
    setQuery(null);
    setTimeout(() => { el.focus(); el.setSelectionRange(next.caret, next.caret); });
  }

  /** True when the key was the list's (the composer must not act on it). */
  function onKeyDown(e: KeyboardEvent): boolean {
    if (!open) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      setIndex((i) => (i + step + list.length) % list.length);
      return true;
    }
    if ((e.key === "Enter" && !e.shiftKey) || e.key === "Tab") {
      e.preventDefault();
      pick(list[Math.min(index, list.length - 1)]);
      return true;
    }
    if (e.key === "Escape") {
      e.preventDefault();
      setQuery(null);
      return true;
    }
    return false;
  }

  /** The text to send: picked names (and members' exact @names) as tokens. */
  function encode(text: string): string {
    const out = encodeMentions(text, picked.current, members ?? []);
    picked.current = [];
    setQuery(null);
    return out;
  }

  const active = open ? `${listId}-${Math.min(index, list.length - 1)}` : undefined;
  // The composer stays a textbox (its role is what people and tests find it by); the
  // list is tied to it by aria-controls and the highlighted option by activedescendant.
  const inputProps = {
    "aria-autocomplete": "list" as const,
    "aria-controls": open ? listId : undefined, "aria-activedescendant": active,
  };

  const popup = open ? (
    <ul class="mention-list" role="listbox" id={listId} aria-label={t("mentionSuggestions")}
      data-testid="mention-list">
      {list.map((c, i) => (
        <li key={`${c.kind}:${c.id}:${c.label}`} id={`${listId}-${i}`} role="option"
          aria-selected={i === Math.min(index, list.length - 1)}
          class={`mention-option ${i === Math.min(index, list.length - 1) ? "active" : ""}`}
          onMouseDown={(e) => { e.preventDefault(); pick(c); }}>
          <span class={`mention-kind ${c.kind}`} aria-hidden="true">{c.kind === "channel" ? "#" : "@"}</span>
          {c.label.slice(1)}
        </li>
      ))}
    </ul>
  ) : null;

  return { update, onKeyDown, encode, popup, inputProps };
}
