import { useState } from "preact/hooks";
import { jumpToPresent, loadNewer, loadOlder, loadPins } from "../actions/messages";
import { search } from "../actions/search";
import { t } from "../i18n";
import { setState, useStore } from "../store";
import { startUpload } from "../uploads";
import { Composer } from "./Composer";
import { ComposerGate } from "./members/ComposerGate";
import { MessageList } from "./MessageList";
import { TypingIndicator } from "./TypingIndicator";
import { NewMessagesBar } from "./Unread";

const ICONS: Record<string, string> = { voice: "🔊", dm: "@", group_dm: "👥 " };

export function ChatPane({ guildId, channelId }: { guildId: number; channelId?: number }) {
  const channel = useStore((s) => s.channels[guildId]?.find((c) => c.id === channelId));
  const state = useStore((s) => (channelId ? s.messages[channelId] : undefined));
  const panel = useStore((s) => s.panel);
  const [q, setQ] = useState("");
  const [dragging, setDragging] = useState(false);

  const header = (
    <header class="chat-head">
      <button class="icon menu-btn" aria-label={t("openMenu")} aria-controls="nav-area"
        onClick={() => setState({ drawer: true })}>☰</button>
      <h2 class="chat-title">{channel ? <><span aria-hidden="true">{ICONS[channel.type] ?? "#"}</span>{channel.name}</> : t("selectChannel")}</h2>
      <form role="search" class="search-form" onSubmit={(e) => { e.preventDefault(); if (q.trim()) void search(q.trim()); }}>
        <input type="search" aria-label={t("searchPlaceholder")} placeholder={t("search")} title={t("searchHelp")}
          value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
      </form>
      {channel && (
        <button class={`icon ${panel === "pins" ? "active" : ""}`} aria-label={t("pins")}
          title={t("pins")} aria-pressed={panel === "pins"}
          onClick={() => {
            if (panel === "pins") setState({ panel: null });
            else { setState({ panel: "pins", pins: null }); void loadPins(channel.id); }
          }}>📌</button>
      )}
      <button class={`icon ${panel === "members" ? "active" : ""}`} aria-label={t("openMembers")}
        title={t("members")} aria-pressed={panel === "members"}
        onClick={() => setState({ panel: panel === "members" ? null : "members" })}>👥</button>
    </header>
  );

  if (!channel || !channelId) {
    return <section class="chat" aria-label={t("messages")}>{header}<div class="chat-empty">{t("selectChannel")}</div></section>;
  }

  if (channel.type === "voice") {
    // Reached by a link or an old bookmark: say so rather than open a chat that fails.
    return (
      <section class="chat" aria-label={`${channel.name}`}>
        {header}
        <div class="chat-empty voice-note" role="note">
          <p><span aria-hidden="true">🔊 </span>{t("voiceChannel")}: {channel.name}</p>
          <p class="muted">{t("voiceUnavailable")}</p>
        </div>
      </section>
    );
  }

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    for (const f of Array.from(e.dataTransfer?.files ?? [])) void startUpload(channelId, f);
  };

  return (
    <section class={`chat ${dragging ? "dragging" : ""}`} aria-label={`#${channel.name}`}
      onDragOver={(e) => { if (e.dataTransfer?.types.includes("Files")) { e.preventDefault(); setDragging(true); } }}
      onDragLeave={(e) => { if (e.currentTarget === e.target) setDragging(false); }}
      onDrop={onDrop}>
      {header}
      <NewMessagesBar channelId={channelId} />
      <MessageList key={channelId} channel={channel} state={state}
        onOlder={() => loadOlder(channelId)} onNewer={() => loadNewer(channelId)}
        onPresent={() => jumpToPresent(channelId)} />
      <TypingIndicator channelId={channelId} />
      <ComposerGate channel={channel}><Composer channel={channel} /></ComposerGate>
      {dragging && <div class="drop-hint" aria-hidden="true">{t("attach")}</div>}
    </section>
  );
}
