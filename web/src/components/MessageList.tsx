import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { t } from "../i18n";
import { composerPlaceholder } from "../i18n-features";
import { setState, useStore, type ChannelMessages } from "../store";
import type { Channel, Message } from "../types";
import { atBottom, buildOffsets, rowAt, visibleRange } from "../windowing";
import { firstUnreadId } from "../readstates";
import { startsNewDay, formatDay } from "../dates";
import { JumpToPresent } from "./JumpToPresent";
import { MessageRow } from "./Message";

const ESTIMATE = 56;
const OVERSCAN = 600;
const GROUP_MS = 5 * 60 * 1000;
/** Layout corrections allowed per animation frame (see the layout effect). */
export const MAX_CORRECTIONS_PER_FRAME = 8;

// A frame counter advanced by requestAnimationFrame while the list needs it: passes
// that share a value ran in the same frame (same task, or its microtasks).
let frameNo = 0;
let frameTicking = false;
function frameOf(): number {
  if (!frameTicking) {
    frameTicking = true;
    requestAnimationFrame(() => { frameTicking = false; frameNo++; });
  }
  return frameNo;
}

/** A row continues the previous one (no name, no avatar) when the same author wrote it soon after. */
export function isCompact(prev: Message | undefined, m: Message): boolean {
  if (!prev || prev.author_id !== m.author_id || prev.poll || m.poll || m.reply_to) return false;
  return new Date(m.timestamp).getTime() - new Date(prev.timestamp).getTime() < GROUP_MS;
}

interface Props {
  channel: Channel;
  state: ChannelMessages | undefined;
  onOlder: () => void;
  onNewer: () => void;
  /** Loads the newest page when the window is not the newest (after a jump to a hit). */
  onPresent: () => void;
}

export function MessageList({ channel, state, onOlder, onNewer, onPresent }: Props) {
  const items = state?.items ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<number, number>());
  const stick = useRef(true);
  const anchor = useRef<Anchor | null>(null);
  const shownHighlight = useRef<number | null>(null);
  /** The scrollTop we last set ourselves, until its scroll event comes back. */
  const wrote = useRef<number | null>(null);
  const corrections = useRef({ frame: -1, used: 0, warned: false, resume: false });
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(800);
  const [version, setVersion] = useState(0);
  /** Scrolled up far from the newest messages: the "jump to present" bar shows. */
  const [away, setAway] = useState(false);
  const highlight = useStore((s) => s.highlight);
  const divider = useStore((s) => (s.unread.divider?.channelId === channel.id ? s.unread.divider.afterId : null));
  const meId = useStore((s) => s.me?.id);
  const firstNew = useMemo(() => (divider === null ? undefined : firstUnreadId(items, divider, meId)),
    [items, divider, meId]);

  const keys = useMemo(() => items.map((m) => m.id), [items]);
  const offsets = useMemo(() => buildOffsets(keys, heights.current, ESTIMATE), [keys, version]);
  const total = offsets[offsets.length - 1];
  const range = visibleRange(offsets, scrollTop, viewport, OVERSCAN);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      setViewport(el.clientHeight);
      if (stick.current) { el.scrollTop = el.scrollHeight; wrote.current = el.scrollTop; }
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // A bounded number of corrections (re-measure, scroll write) per animation frame:
    // whatever disagreement between the model and the layout remains, it can cost a
    // few passes a frame, never a loop that pins the tab. The next frame (or the next
    // change) gets a fresh budget.
    const budget = corrections.current;
    const frame = frameOf();
    if (budget.frame !== frame) { budget.frame = frame; budget.used = 0; }
    if (budget.used >= MAX_CORRECTIONS_PER_FRAME) {
      if (!budget.warned) {
        budget.warned = true;
        console.warn("message list: correction budget spent this frame; resuming next frame");
      }
      // Resume next frame (once): bounded work per frame, and a list that does settle
      // is not left half-measured.
      if (!budget.resume) {
        budget.resume = true;
        requestAnimationFrame(() => { budget.resume = false; setVersion((v) => v + 1); });
      }
      return;
    }
    // 1. Keep the view where the reader is: at the bottom, on a highlighted hit, or on
    //    the row that was at the top (before older rows were added above it, or rows
    //    on screen got their real heights). First, so that every pass leaves the
    //    reader's row in place, also one that goes on to re-measure: a scroll made
    //    before the list settles (a spent budget waits a frame) starts from there.
    if (highlight !== null && shownHighlight.current !== highlight) {
      const idx = keys.indexOf(highlight);
      if (idx >= 0) {
        shownHighlight.current = highlight;
        stick.current = false;
        budget.used++;
        el.scrollTop = Math.max(0, offsets[idx] - el.clientHeight / 3);
        wrote.current = el.scrollTop;
        setScrollTop(el.scrollTop);
        setTimeout(() => setState((s) => (s.highlight === highlight ? { highlight: null } : {})), 4000);
        return;
      }
    }
    if (stick.current) {
      el.scrollTop = el.scrollHeight;
      wrote.current = el.scrollTop;
    } else if (anchor.current) {
      const want = anchorTop(el, anchor.current, keys, offsets);
      if (want !== null && Math.abs(el.scrollTop - want) > 1) { el.scrollTop = want; wrote.current = el.scrollTop; }
    }
    // 2. Measure the rows on screen; estimated heights become real ones. A row's slot
    //    is what the layout gives it: its box plus its margins (the gap above a group).
    let changed = false;
    for (const row of Array.from(el.querySelectorAll<HTMLElement>("[data-mid]"))) {
      const id = Number(row.dataset.mid);
      const h = slotHeight(row);
      const was = heights.current.get(id);
      if (h && (was === undefined || Math.abs(was - h) > 0.5)) {
        heights.current.set(id, h);
        changed = true;
      }
    }
    if (changed) {
      budget.used++;
      if (el.scrollTop !== scrollTop) setScrollTop(el.scrollTop);
      setVersion((v) => v + 1);
      return;
    }
    if (el.scrollTop !== scrollTop) {
      budget.used++;
      setScrollTop(el.scrollTop);
    }
    // 3. A short channel: fetch older rows until the view is full.
    if (state?.loaded && state.hasMoreBefore && !state.loadingOlder && total < el.clientHeight) onOlder();
  });

  function onScroll() {
    const el = scroller.current!;
    const top = el.scrollTop;
    setScrollTop(top);
    // Our own writes fire scroll events too, a frame later: by then a burst may have
    // grown the list, and judging "at the bottom" then would unpin a reader who never
    // scrolled. Only a position we did not write changes stickiness.
    if (wrote.current === null || Math.abs(top - wrote.current) > 1) {
      stick.current = !state?.hasMoreAfter && atBottom(top, el.clientHeight, el.scrollHeight);
    }
    wrote.current = null;
    setAway(farFromBottom(top, el.clientHeight, el.scrollHeight));
    anchor.current = anchorAt(el, top, keys, offsets);
    if (top < 600 && state?.hasMoreBefore && !state.loadingOlder) onOlder();
    if (state?.hasMoreAfter && !state.loadingNewer
      && el.scrollHeight - (top + el.clientHeight) < 600) onNewer();
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key !== "ArrowUp" && e.key !== "ArrowDown") return;
    const el = scroller.current!;
    const rows = Array.from(el.querySelectorAll<HTMLElement>("[data-mid]"));
    const active = document.activeElement as HTMLElement | null;
    const at = rows.findIndex((r) => r === active);
    if (at < 0 && active !== el) return; // typing in an inline editor
    e.preventDefault();
    const next = at < 0 ? rows.length - 1 : at + (e.key === "ArrowUp" ? -1 : 1);
    const target = rows[Math.max(0, Math.min(rows.length - 1, next))];
    target?.focus();
    target?.scrollIntoView({ block: "nearest" });
  }

  function toPresent() {
    setAway(false);
    if (state?.hasMoreAfter) { onPresent(); return; }
    const el = scroller.current!;
    stick.current = true;
    anchor.current = null;
    el.scrollTop = el.scrollHeight;
    wrote.current = el.scrollTop;
    setScrollTop(el.scrollTop);
  }

  const visible = items.slice(range.start, range.end);
  return (
    <div class="log-wrap">
    <div class="log" role="log" aria-label={composerPlaceholder(channel)}
      aria-busy={state?.loadingOlder ? "true" : undefined} tabIndex={0} ref={scroller}
      onScroll={onScroll} onKeyDown={onKeyDown} data-testid="message-log">
      <div class="log-inner">
        <div class="log-header">
          {state?.loadingOlder ? t("loadingOlder")
            : state?.loaded && !state.hasMoreBefore ? t("beginning", { channel: channel.name }) : ""}
        </div>
        <div style={{ height: `${offsets[range.start]}px` }} aria-hidden="true" />
        {/* Keyed by nonce when there is one: the row of a message being sent survives
            the swap of its temporary id for the stored one (focus and DOM stay put). */}
        {visible.map((m, i) => {
          const prev = items[range.start + i - 1];
          // A date separator above the first row of each day (and above the channel's
          // first message); a new day also starts a new group.
          const newDay = startsNewDay(prev, m, range.start + i === 0 && !!state?.loaded && !state.hasMoreBefore);
          return (
            <MessageRow key={m.nonce ?? m.id} m={m} compact={!newDay && isCompact(prev, m)}
              highlighted={m.id === highlight} guildId={channel.guild_id} divider={m.id === firstNew}
              day={newDay ? formatDay(m.timestamp) : undefined} />
          );
        })}
        <div style={{ height: `${total - offsets[range.end]}px` }} aria-hidden="true" />
      </div>
    </div>
    {(away || state?.hasMoreAfter) && <JumpToPresent onJump={toPresent} />}
    </div>
  );
}

/** More than a screen and a half above the newest messages. */
export function farFromBottom(top: number, client: number, height: number): boolean {
  return height - (top + client) > client * 1.5;
}

/** The vertical space the layout gives a row: its border box plus its margins. */
function slotHeight(row: HTMLElement): number {
  const h = row.getBoundingClientRect().height;
  if (!h) return 0;
  const cs = getComputedStyle(row);
  return h + (parseFloat(cs.marginTop) || 0) + (parseFloat(cs.marginBottom) || 0);
}

type Anchor = { key: number; delta: number };

/** A rendered row's slot top (margin included) in the scroller's content coordinates. */
function slotTop(el: HTMLElement, row: HTMLElement): number {
  const margin = parseFloat(getComputedStyle(row).marginTop) || 0;
  return row.getBoundingClientRect().top - margin - el.getBoundingClientRect().top - el.clientTop + el.scrollTop;
}

/** The row at scroll position `top` and how far into it the view starts: read from the
 * rows on screen (the layout as shown), else from the model's offsets. */
function anchorAt(el: HTMLElement, top: number, keys: number[], offsets: Float64Array): Anchor | null {
  if (!keys.length) return null;
  for (const row of Array.from(el.querySelectorAll<HTMLElement>("[data-mid]"))) {
    const at = slotTop(el, row);
    if (at + slotHeight(row) <= top) continue;
    if (at <= top) return { key: Number(row.dataset.mid), delta: top - at };
    break; // the view starts above the rendered rows (in the header or a spacer)
  }
  const inner = top - headerHeight(el);
  const row = rowAt(offsets, Math.max(0, inner));
  return { key: keys[row], delta: inner - offsets[row] };
}

/** Where the scroll position must be for the anchor row to sit where it was. */
function anchorTop(el: HTMLElement, a: Anchor, keys: number[], offsets: Float64Array): number | null {
  const row = el.querySelector<HTMLElement>(`[data-mid="${a.key}"]`);
  if (row) return slotTop(el, row) + a.delta;
  const idx = keys.indexOf(a.key);
  return idx >= 0 ? offsets[idx] + a.delta + headerHeight(el) : null;
}

function headerHeight(el: HTMLElement): number {
  const h = el.querySelector<HTMLElement>(".log-header");
  const inner = el.querySelector<HTMLElement>(".log-inner");
  // Bottom-aligned short channels leave free space above the header.
  return (h ? h.offsetTop + h.offsetHeight - (inner?.offsetTop ?? 0) : 0);
}
