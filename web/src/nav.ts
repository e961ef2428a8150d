import { parseRoute } from "./router";
import { setState } from "./store";

export function navigate(path: string, replace = false): void {
  if (path !== location.pathname + location.search) {
    if (replace) history.replaceState(null, "", path);
    else history.pushState(null, "", path);
  }
  const url = new URL(path, location.origin);
  setState({ route: parseRoute(url.pathname, url.search), drawer: false });
}

export function startRouter(): void {
  addEventListener("popstate", () => {
    setState({ route: parseRoute(location.pathname, location.search) });
  });
}

/** onClick for an <a href>: client-side navigation unless a modifier asks for a new tab. */
export function linkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.currentTarget as HTMLAnchorElement;
  e.preventDefault();
  navigate(a.getAttribute("href") || "/");
}

let composerFocusAt = 0;

/** onClick for a channel link: a keyboard press (Enter gives a click with detail 0)
 *  also hands focus to the new channel's composer, so typing follows the switch. */
export function channelLinkClick(e: MouseEvent): void {
  linkClick(e);
  if (e.defaultPrevented && e.detail === 0) composerFocusAt = Date.now();
}

/** Whether a composer that just opened should take focus (once, soon after the switch). */
export function takeComposerFocus(): boolean {
  const due = Date.now() - composerFocusAt < 3000;
  composerFocusAt = 0;
  return due;
}
