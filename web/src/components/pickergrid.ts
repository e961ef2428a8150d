// Keyboard and focus for the pickers (emoji, stickers): a dialog of `.picker-item`
// buttons laid out in a grid. Arrow keys move by what is on screen, Home/End jump,
// Escape closes, and whatever opened the picker gets focus back before it goes.
import type { RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";

interface Box { left: number; top: number; width: number }

/** The item an arrow key (or Home/End) moves to from `from` in a grid laid out on
 *  screen: left/right go through the list in order; up/down go to the nearest item
 *  in the row above or below, across the picker's sections. */
export function gridStepIndex(boxes: Box[], from: number, key: string): number | null {
  if (!boxes.length) return null;
  if (key === "Home") return 0;
  if (key === "End") return boxes.length - 1;
  if (from < 0) return key.startsWith("Arrow") ? 0 : null;
  if (key === "ArrowRight") return Math.min(from + 1, boxes.length - 1);
  if (key === "ArrowLeft") return Math.max(from - 1, 0);
  if (key !== "ArrowDown" && key !== "ArrowUp") return null;
  const here = boxes[from];
  const down = key === "ArrowDown";
  const rows = boxes.map((b) => b.top).filter((y) => (down ? y > here.top + 1 : y < here.top - 1));
  if (!rows.length) return from;
  const row = down ? Math.min(...rows) : Math.max(...rows);
  const x = here.left + here.width / 2;
  let best = from;
  let dist = Infinity;
  boxes.forEach((b, i) => {
    const d = Math.abs(b.left + b.width / 2 - x);
    if (Math.abs(b.top - row) <= 1 && d < dist) { best = i; dist = d; }
  });
  return best;
}

function gridStep(items: HTMLElement[], active: HTMLElement, key: string): HTMLElement | null {
  const boxes = items.map((el) => el.getBoundingClientRect());
  const i = gridStepIndex(boxes, items.indexOf(active), key);
  return i === null ? null : items[i];
}

export interface PickerKeys {
  /** Focus back to the opener; call it before acting on a pick (which removes the picker). */
  giveBack: () => void;
  /** Escape's path: focus back, then `onClose`. */
  close: () => void;
  /** For the picker's root element. */
  onKeyDown: (e: KeyboardEvent) => void;
}

/** On mount focus goes to the first item (or the picker itself when it has none and
 *  a `tabIndex`); a mousedown outside closes it. */
export function usePickerKeys(ref: RefObject<HTMLElement | null>, onClose: () => void): PickerKeys {
  const opener = useRef<HTMLElement | null>(null);
  // Whatever had focus when the picker opened gets it back when the picker goes, before
  // it goes: a message's toolbar shows only while focus is inside the message, so a
  // button hidden by the picker's removal could not take focus any more. A pick may
  // then move focus on (the composer puts the caret after the emoji).
  const giveBack = () => { if (opener.current?.isConnected) opener.current.focus(); };
  const close = () => { giveBack(); onClose(); };
  useEffect(() => {
    opener.current = document.activeElement as HTMLElement | null;
    const box = ref.current;
    const first = box?.querySelector<HTMLElement>(".picker-item");
    if (first) first.focus();
    else if (box?.hasAttribute("tabindex")) box.focus();
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    const later = setTimeout(() => addEventListener("mousedown", onDown));
    return () => {
      clearTimeout(later);
      removeEventListener("mousedown", onDown);
      const active = document.activeElement;
      if (!active || active === document.body || box?.contains(active)) giveBack();
    };
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") { e.stopPropagation(); close(); return; }
    const items = Array.from(ref.current?.querySelectorAll<HTMLElement>(".picker-item") ?? []);
    const next = gridStep(items, document.activeElement as HTMLElement, e.key);
    if (next) { e.preventDefault(); next.focus(); next.scrollIntoView?.({ block: "nearest" }); }
  };
  return { giveBack, close, onKeyDown };
}
