// A reaction picker opens below its message; near the bottom of the message list that
// would be cut off by the list's edge, so it opens above the message instead.
import type { RefObject } from "preact";
import { useLayoutEffect } from "preact/hooks";

export function useOpenUpwardsWhenCut(ref: RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !el.closest(".msg")) return; // the composer's picker already opens upwards
    const scroller = el.closest<HTMLElement>(".log");
    const limit = Math.min(innerHeight, scroller ? scroller.getBoundingClientRect().bottom : innerHeight);
    if (el.getBoundingClientRect().bottom > limit) el.classList.add("picker-up");
  }, []);
}
