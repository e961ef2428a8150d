import type { ComponentChildren } from "preact";
import { useRef } from "preact/hooks";
import { tg } from "../../i18n-gov";
import { setState } from "../../store";
import { useDialog } from "../dialog";

export interface Page {
  id: string;
  label: string;
}

export const closeSettings = () => setState({ settings: null });

/** Full-screen settings: pages on the left, the page on the right (Discord's layout). */
export function SettingsLayout({ title, pages, page, onPage, children, footer }: {
  title: string; pages: Page[]; page: string; onPage: (id: string) => void;
  children: ComponentChildren; footer?: ComponentChildren;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const onKeyDown = useDialog(ref, closeSettings, "nav button[aria-current='page']");
  const current = pages.find((p) => p.id === page) ?? pages[0];
  return (
    <div class="settings" role="dialog" aria-modal="true" aria-labelledby="settings-title" ref={ref}
      onKeyDown={onKeyDown}>
      <nav class="settings-nav" aria-label={tg("settingsNav")}>
        <h2 id="settings-title" class="settings-title">{title}</h2>
        <ul>
          {pages.map((p) => (
            <li key={p.id}>
              <button type="button" class={p.id === current.id ? "active" : ""}
                aria-current={p.id === current.id ? "page" : undefined}
                onClick={() => onPage(p.id)}>{p.label}</button>
            </li>
          ))}
        </ul>
        {footer}
      </nav>
      <main class="settings-page" aria-labelledby="settings-page-title">
        <div class="settings-page-head">
          <h2 id="settings-page-title">{current.label}</h2>
          <button type="button" class="icon settings-close" aria-label={tg("closeSettings")}
            title={tg("closeSettings")} onClick={closeSettings}>✕</button>
        </div>
        {children}
      </main>
    </div>
  );
}
