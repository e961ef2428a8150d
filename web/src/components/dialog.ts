// Focus management of every dialog: focus moves in when it opens and back where it was
// when it closes, Tab stays inside, Escape closes the topmost dialog only.
import type { RefObject } from "preact";
import { useLayoutEffect } from "preact/hooks";

const stack: RefObject<HTMLElement | null>[] = [];
const FOCUSABLE = "button, input, select, textarea, a[href], [tabindex='0']";

export function useDialog(ref: RefObject<HTMLElement | null>, close: () => void,
  first = "input, select, textarea, button:not(.modal-x)"): (e: KeyboardEvent) => void {
  useLayoutEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    stack.push(ref);
    ref.current?.querySelector<HTMLElement>(first)?.focus();
    const onEscape = (e: KeyboardEvent) => {
      if (e.key === "Escape" && stack[stack.length - 1] === ref && !e.defaultPrevented) {
        e.preventDefault();
        close();
      }
    };
    document.addEventListener("keydown", onEscape);
    return () => {
      document.removeEventListener("keydown", onEscape);
      stack.splice(stack.indexOf(ref), 1);
      if (prev?.isConnected) prev.focus();
    };
  }, []);
  return (e: KeyboardEvent) => {
    if (e.key !== "Tab" || !ref.current) return;
    const f = Array.from(ref.current.querySelectorAll<HTMLElement>(FOCUSABLE))
      .filter((x) => !x.hasAttribute("disabled") && x.offsetParent !== null);
    if (f.length === 0) return;
    const a = f[0];
    const z = f[f.length - 1];
    if (e.shiftKey && document.activeElement === a) { e.preventDefault(); z.focus(); }
    else if (!e.shiftKey && document.activeElement === z) { e.preventDefault(); a.focus(); }
  };
}
