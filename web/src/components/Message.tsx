import { useEffect, useRef, useState } from "preact/hooks";
import { fileUrl } from "../api";
import {
  deleteMessage, discardPending, editMessage, ensureMyVotes, retrySend, toggleReaction, togglePin,
} from "../actions";
import { emojiMap, stickerOf } from "../emojis";
import { formatFull, formatSize, formatTime, t } from "../i18n";
import { renderMarkdown } from "../markdown";
import { getState, setState, useStore } from "../store";
import type { FileRef, Message } from "../types";
import { Avatar } from "./Avatar";
import { EmojiPicker } from "./EmojiPicker";
import { memo } from "../memo";
import { PollView } from "./Poll";

interface Props {
  m: Message;
  compact: boolean;
  highlighted: boolean;
  guildId: number;
}

function MessageRowImpl({ m, compact, highlighted, guildId }: Props) {
  const me = useStore((s) => s.me);
  const emojis = useStore((s) => s.emojis[guildId]);
  const stickers = useStore((s) => s.stickers[guildId]);
  const owner = useStore((s) => s.guilds.find((g) => g.id === guildId)?.owner_id === s.me?.id);
  const editing = useStore((s) => s.editing === m.id);
  const [picker, setPicker] = useState(false);
  const mine = me?.id === m.author_id;
  const map = emojiMap(emojis);
  const sticker = stickerOf(m.content, stickers);
  useEffect(() => { if (m.poll) void ensureMyVotes(m); }, [m.poll?.id]);

  return (
    <article class={`msg ${compact ? "compact" : ""} ${highlighted ? "highlight" : ""} ${m.pending ? "pending" : ""}`}
      data-mid={m.id} tabIndex={-1} aria-label={`${m.username}, ${formatTime(m.timestamp)}`}>
      {!compact && <Avatar name={m.username} src={m.avatar} />}
      <div class="msg-body">
        {!compact && (
          <div class="msg-head">
            <span class="author">{m.username}</span>
            <time dateTime={m.timestamp} title={formatFull(m.timestamp)}>{formatTime(m.timestamp)}</time>
            {m.pinned && <span class="pin-mark" title={t("pinned")}>📌 <span class="sr-only">{t("pinned")}</span></span>}
          </div>
        )}
        {editing ? (
          <InlineEditor m={m} />
        ) : sticker ? (
          <img class="sticker" src={fileUrl(sticker.file_path)} alt={`${t("sticker")}: ${sticker.name}`}
            title={sticker.description ?? sticker.name} width={160} height={160} />
        ) : m.content && !(m.poll && m.poll.question === m.content) ? (
          <div class="content" data-testid="content">
            {renderMarkdown(m.content, map)}
            {m.edited_at && <span class="edited" title={formatFull(m.edited_at)}> {t("edited")}</span>}
            {compact && m.pinned && <span class="pin-mark" title={t("pinned")}> 📌<span class="sr-only">{t("pinned")}</span></span>}
          </div>
        ) : null}
        {(m.files ?? []).length > 0 && <Files files={m.files!} />}
        {m.poll && <PollView m={m} />}
        {(m.reactions ?? []).length > 0 && (
          <div class="reactions">
            {m.reactions!.map((r) => {
              const on = !!me && r.users.includes(me.username);
              const name = /^:(\w+):$/.exec(r.emoji)?.[1];
              return (
                <button key={r.emoji} class={`reaction ${on ? "on" : ""}`} aria-pressed={on}
                  aria-label={`${r.emoji} ${r.count}`} title={r.users.join(", ")}
                  onClick={() => toggleReaction(m, r.emoji)} disabled={m.pending}>
                  {name && map[name] ? <img class="emoji" src={map[name]} alt={r.emoji} /> : r.emoji}
                  <span class="count">{r.count}</span>
                </button>
              );
            })}
          </div>
        )}
        {m.failed && (
          <div class="failed" role="alert">
            {t("error")}
            <button class="link" onClick={() => retrySend(m)}>↻</button>
            <button class="link" onClick={() => discardPending(m)}>{t("delete")}</button>
          </div>
        )}
      </div>
      {!m.pending && (
        <div class="msg-actions" role="toolbar" aria-label={t("messageActions")}>
          <button class="icon small" aria-label={t("react")} title={t("react")}
            aria-expanded={picker} onClick={() => setPicker(!picker)}>☺</button>
          {mine && !sticker && (
            <button class="icon small" aria-label={t("edit")} title={t("edit")}
              onClick={() => setState({ editing: m.id })}>✎</button>
          )}
          {(mine || owner) && (
            <button class="icon small" aria-label={m.pinned ? t("unpin") : t("pin")}
              title={m.pinned ? t("unpin") : t("pin")} onClick={() => togglePin(m)}>📌</button>
          )}
          {(mine || owner) && (
            <button class="icon small danger" aria-label={t("deleteMessage")} title={t("deleteMessage")}
              onClick={(e) => (e.shiftKey ? deleteMessage(m)
                : setState({ modal: { kind: "confirmDelete", data: m } }))}>🗑</button>
          )}
        </div>
      )}
      {picker && (
        <EmojiPicker guildId={guildId} onPick={(e) => { setPicker(false); void toggleReaction(m, e.reaction); }}
          onClose={() => setPicker(false)} />
      )}
    </article>
  );
}

export const MessageRow = memo(MessageRowImpl);

function Files({ files }: { files: FileRef[] }) {
  return (
    <div class="files">
      {files.map((f) => {
        const url = fileUrl(f.path);
        // The server decides what may be decoded here (preview: false for huge images).
        return f.mimetype?.startsWith("image/") && f.preview !== false ? (
          <a key={f.path} href={url} target="_blank" rel="noopener noreferrer" class="image-link">
            <img class="preview" src={url} alt={f.filename} loading="lazy" />
          </a>
        ) : (
          <a key={f.path} href={url} download={f.filename} class="file-card"
            aria-label={t("download", { name: f.filename })}>
            <span aria-hidden="true">📄</span>
            <span class="file-name">{f.filename}</span>
            <span class="muted">{formatSize(f.size)}</span>
          </a>
        );
      })}
    </div>
  );
}

function InlineEditor({ m }: { m: Message }) {
  const [text, setText] = useState(m.content);
  const box = useRef<HTMLTextAreaElement>(null);
  // `autofocus` is honoured by browsers only while a page loads, never for an element
  // added later: take focus ourselves (from the composer's ↑ or the ✎ button), with
  // the caret at the end as in the composer.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const done = () => {
    setState({ editing: null });
    setTimeout(() => document.querySelector<HTMLTextAreaElement>(".composer textarea")?.focus());
  };
  return (
    <div class="inline-edit">
      <textarea ref={box} aria-label={t("editMessage")} value={text} rows={Math.min(8, text.split("\n").length)}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") { e.preventDefault(); done(); }
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            const v = text.trim();
            if (v && v !== m.content) void editMessage(m, v);
            if (!v && getState().me?.id === m.author_id) setState({ modal: { kind: "confirmDelete", data: m } });
            done();
          }
        }} />
      <p class="muted small">{t("editing")}</p>
    </div>
  );
}
