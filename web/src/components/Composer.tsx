import { useRef, useState } from "preact/hooks";
import { fileUrl } from "../api";
import { sendMessage } from "../actions";
import { stickerContent } from "../emojis";
import { t } from "../i18n";
import * as rt from "../realtime";
import { getState, setState, useStore } from "../store";
import type { Channel } from "../types";
import { removeUpload, startUpload, takeReady, uploadsBusy } from "../uploads";
import { EmojiPicker } from "./EmojiPicker";

export function Composer({ channel }: { channel: Channel }) {
  const [text, setText] = useState("");
  const [popup, setPopup] = useState<"emoji" | "sticker" | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const uploads = useStore((s) => s.uploads[channel.id]) ?? [];
  const stickers = useStore((s) => s.stickers[channel.guild_id]) ?? [];
  const owner = useStore((s) => s.guilds.find((g) => g.id === channel.guild_id)?.owner_id === s.me?.id);

  if (channel.read_only && !owner) {
    return <div class="composer readonly" role="note">🔒 {t("readOnlyChannel")}</div>;
  }

  function send() {
    const content = text.trim();
    if (uploadsBusy(channel.id)) return; // wait for the bars to finish
    const files = takeReady(channel.id);
    if (!content && files.length === 0) return;
    setText("");
    void sendMessage(channel.id, content, files);
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === "ArrowUp" && text === "") {
      const me = getState().me;
      const items = getState().messages[channel.id]?.items ?? [];
      const last = [...items].reverse().find((m) => m.author_id === me?.id && !m.pending);
      if (last) {
        e.preventDefault();
        setState({ editing: last.id });
      }
    }
  }

  function onPaste(e: ClipboardEvent) {
    const files = Array.from(e.clipboardData?.files ?? []);
    if (files.length) {
      e.preventDefault();
      for (const f of files) void startUpload(channel.id, f);
    }
  }

  function insert(s: string) {
    const el = area.current;
    const at = el?.selectionStart ?? text.length;
    setText(text.slice(0, at) + s + text.slice(el?.selectionEnd ?? at));
    setPopup(null);
    setTimeout(() => el?.focus());
  }

  return (
    <div class="composer">
      {uploads.length > 0 && (
        <ul class="uploads" aria-label={t("attach")}>
          {uploads.map((u) => (
            <li key={u.id} class={`upload ${u.error ? "error" : ""}`}>
              <span class="file-name">{u.name}</span>
              {u.path && u.mimetype?.startsWith("image/") && u.preview !== false && <img src={fileUrl(u.path)} alt="" class="thumb" />}
              {!u.path && !u.error && (
                <progress max={1} value={u.progress} aria-label={t("uploading", { name: u.name })} />
              )}
              {u.error && <span class="field-error">{u.error}</span>}
              <button type="button" class="icon small" aria-label={`${t("removeAttachment")} ${u.name}`}
                onClick={() => removeUpload(channel.id, u.id)}>✕</button>
            </li>
          ))}
        </ul>
      )}
      <div class="composer-row">
        <button type="button" class="icon" aria-label={t("attach")} title={t("attach")}
          onClick={() => fileInput.current?.click()}>+</button>
        <input ref={fileInput} type="file" multiple hidden aria-label={t("attach")} data-testid="file-input"
          onChange={(e) => {
            const input = e.currentTarget as HTMLInputElement;
            for (const f of Array.from(input.files ?? [])) void startUpload(channel.id, f);
            input.value = "";
          }} />
        <textarea ref={area} rows={1} value={text} maxLength={2000}
          aria-label={t("messagePlaceholder", { channel: channel.name })}
          placeholder={t("messagePlaceholder", { channel: channel.name })}
          onInput={(e) => {
            setText((e.currentTarget as HTMLTextAreaElement).value);
            rt.typing(channel.id, channel.guild_id);
          }}
          onKeyDown={onKeyDown} onPaste={onPaste} onBlur={() => rt.stopTyping(channel.id)} />
        <button type="button" class="icon" aria-label={t("createPoll")} title={t("createPoll")}
          onClick={() => setState({ modal: { kind: "poll", data: channel.id } })}>📊</button>
        <button type="button" class="icon" aria-label={t("stickers")} title={t("stickers")}
          aria-expanded={popup === "sticker"} onClick={() => setPopup(popup === "sticker" ? null : "sticker")}>🏷</button>
        <button type="button" class="icon" aria-label={t("emojiPicker")} title={t("emojiPicker")}
          aria-expanded={popup === "emoji"} onClick={() => setPopup(popup === "emoji" ? null : "emoji")}>☺</button>
        <button type="button" class="icon send" aria-label={t("send")} title={t("send")} onClick={send}>➤</button>
      </div>
      {popup === "emoji" && (
        <EmojiPicker guildId={channel.guild_id} onPick={(e) => insert(e.text)} onClose={() => setPopup(null)} />
      )}
      {popup === "sticker" && (
        <div class="picker" role="dialog" aria-label={t("stickers")}
          onKeyDown={(e) => { if (e.key === "Escape") setPopup(null); }}>
          {stickers.length === 0 ? <p class="muted">{t("noStickers")}</p> : (
            <div class="picker-grid stickers">
              {stickers.map((s) => (
                <button key={s.id} type="button" class="picker-item" aria-label={`${t("sticker")}: ${s.name}`}
                  onClick={() => { setPopup(null); void sendMessage(channel.id, stickerContent(s)); }}>
                  <img src={fileUrl(s.file_path)} alt="" />
                </button>
              ))}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
