import { useEffect, useRef, useState } from "preact/hooks";
import { fileUrl } from "../api";
import { sendMessage } from "../actions/messages";
import { stickerContent } from "../emojis";
import { t } from "../i18n";
import { composerPlaceholder } from "../i18n-features";
import * as rt from "../realtime";
import { getState, setState, useStore } from "../store";
import type { Channel } from "../types";
import { removeUpload, startUpload, takeReady, uploadsBusy } from "../uploads";
import { EmojiPicker } from "./EmojiPicker";
import { StickerPicker } from "./StickerPicker";
import { takeComposerFocus } from "../nav";
import { useMentionComplete } from "./MentionComplete";
import { cancelReply, ReplyBar } from "./Reply";
import { useCan } from "../roles";

export function Composer({ channel }: { channel: Channel }) {
  const [text, setText] = useState("");
  const [popup, setPopup] = useState<"emoji" | "sticker" | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const uploads = useStore((s) => s.uploads[channel.id]) ?? [];
  // A read-only channel takes posts from those with MANAGE_MESSAGES there (section 13).
  const mayPost = useCan(channel.guild_id || undefined, "MANAGE_MESSAGES", channel.id);
  const replying = useStore((s) => s.replying[channel.id]);
  const mention = useMentionComplete(channel, area, setText);
  useEffect(() => {
    if (takeComposerFocus()) area.current?.focus();
  }, [channel.id]);

  if (channel.read_only && !mayPost) {
    return <div class="composer readonly" role="note">🔒 {t("readOnlyChannel")}</div>;
  }

  function send() {
    const content = text.trim();
    if (uploadsBusy(channel.id)) return; // wait for the bars to finish
    const files = takeReady(channel.id);
    if (!content && files.length === 0) return;
    setText("");
    cancelReply(channel.id);
    void sendMessage(channel.id, mention.encode(content), files, undefined, replying);
  }

  function onKeyDown(e: KeyboardEvent) {
    if (mention.onKeyDown(e)) return;
    if (e.key === "Escape" && replying) {
      e.preventDefault();
      cancelReply(channel.id);
    } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
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
      <ReplyBar channelId={channel.id} />
      {mention.popup}
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
          aria-label={composerPlaceholder(channel)}
          placeholder={composerPlaceholder(channel)}
          {...mention.inputProps}
          onInput={(e) => {
            setText((e.currentTarget as HTMLTextAreaElement).value);
            mention.update();
            rt.typing(channel.id, channel.guild_id);
          }}
          onKeyUp={(e) => { if (e.key.startsWith("Arrow") || e.key === "Home" || e.key === "End") mention.update(); }}
          onClick={mention.update}
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
        <StickerPicker guildId={channel.guild_id} onClose={() => setPopup(null)}
          onPick={(s) => { setPopup(null); void sendMessage(channel.id, stickerContent(s)); }} />
      )}
    </div>
  );
}
