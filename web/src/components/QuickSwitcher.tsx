// Ctrl+K (⌘K): a dialog to type a channel, DM or server name and go there. Alt+↑/↓:
// the previous/next channel of the open server (or DM list), as in Discord.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { tf } from "../i18n-features";
import { navigate } from "../nav";
import { channelPath } from "../router";
import { navigableChannels, rankEntries, stepChannel, switchEntries, type SwitchEntry } from "../quickswitch";
import { visibleChannels } from "../roles";
import { getState, useStore } from "../store";
import { useDialog } from "./dialog";

function focusComposer() {
  setTimeout(() => document.querySelector<HTMLTextAreaElement>(".composer textarea")?.focus());
}

function stepFromHere(step: 1 | -1): void {
  const s = getState();
  if (s.route.name !== "channels") return;
  const { guildId, channelId } = s.route;
  const list = guildId === 0 ? (s.channels[0] ?? []) : navigableChannels(visibleChannels(s, guildId));
  const next = stepChannel(list, channelId, step);
  if (next && next.id !== channelId) {
    navigate(channelPath(guildId, next.id));
    focusComposer();
  }
}

/** Mounted once in the shell: the keyboard shortcuts, and the dialog while open. */
export function QuickSwitcherHost() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setOpen((o) => !o);
      } else if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
        e.preventDefault();
        stepFromHere(e.key === "ArrowUp" ? -1 : 1);
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
  return open ? <QuickSwitcher onClose={() => setOpen(false)} /> : null;
}

function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const guilds = useStore((s) => s.guilds);
  const channels = useStore((s) => s.channels);
  const route = useStore((s) => s.route);
  const current = route.name === "channels" ? route.guildId : undefined;
  const all = useMemo(() => switchEntries(guilds, (id) => visibleChannels(getState(), id),
    channels[0] ?? [], current), [guilds, channels, current]);
  const shown = rankEntries(q, all);
  const pick = Math.min(active, Math.max(0, shown.length - 1));
  const onTab = useDialog(ref, onClose, "input");

  function go(e: SwitchEntry | undefined) {
    if (!e) return;
    onClose();
    navigate(e.path);
    focusComposer();
  }

  function onKeyDown(e: KeyboardEvent) {
    onTab(e);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      e.stopPropagation(); // not Alt+↑/↓'s channel step
      const n = shown.length || 1;
      setActive((pick + (e.key === "ArrowDown" ? 1 : -1) + n) % n);
    } else if (e.key === "Enter") {
      e.preventDefault();
      go(shown[pick]);
    }
  }

  const icon = (e: SwitchEntry) => (e.kind === "channel" ? "#" : e.kind === "dm" ? "@" : "◆");
  return (
    <div class="modal-backdrop qs-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div class="modal quick-switcher" role="dialog" aria-modal="true" aria-label={tf("quickSwitcher")}
        ref={ref} onKeyDown={onKeyDown} data-testid="quick-switcher">
        <input type="text" role="combobox" aria-expanded="true" aria-controls="qs-list"
          aria-activedescendant={shown[pick] ? `qs-${shown[pick].key}` : undefined}
          aria-label={tf("quickSwitcher")} placeholder={tf("quickSwitcherHint")} value={q}
          autoComplete="off" spellcheck={false}
          onInput={(e) => { setQ((e.currentTarget as HTMLInputElement).value); setActive(0); }} />
        <ul id="qs-list" role="listbox" aria-label={tf("quickSwitcher")} class="qs-list">
          {shown.map((e, i) => (
            <li key={e.key} id={`qs-${e.key}`} role="option" aria-selected={i === pick}
              class={`qs-item ${i === pick ? "active" : ""}`}
              onMouseMove={() => { if (i !== pick) setActive(i); }}
              onClick={() => go(e)}>
              <span class="qs-icon" aria-hidden="true">{icon(e)}</span>
              <span class="qs-label">{e.label}</span>
              {e.hint && <span class="qs-hint">{e.hint}</span>}
            </li>
          ))}
        </ul>
        {shown.length === 0 && <p class="muted qs-empty" role="status">{tf("quickSwitcherEmpty")}</p>}
        <p class="muted small qs-help">{tf("quickSwitcherHelp")}</p>
      </div>
    </div>
  );
}
