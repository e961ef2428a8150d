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
