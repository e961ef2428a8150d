import { useEffect, useRef, useState } from "preact/hooks";
import { fileUrl } from "../api";
import { deleteMessage, discardPending, editMessage, retrySend, togglePin, toggleReaction } from "../actions/messages";
import { ensureMyVotes } from "../actions/polls";
import { emojiMap, stickerOf } from "../emojis";
import { formatFull, formatSize, formatTime, t } from "../i18n";
import { renderMarkdown } from "../markdown";
import { encodeMentions, mentionsMe } from "../mentions";
import { getState, setState, useStore } from "../store";
import type { FileRef, Message } from "../types";
import { Avatar } from "./Avatar";
import { DaySeparator } from "./DaySeparator";
import { viewImageClick } from "./ImageViewer";
import { EmojiPicker } from "./EmojiPicker";
import { memo } from "../memo";
import { PollView } from "./Poll";
import { useMentionLabel, useMentionRender } from "./Mention";
import { decodeForEdit } from "../mentionedit";
import { ReplyQuote, startReply } from "./Reply";
import { useCan } from "../roles";

interface Props {
  m: Message;
  compact: boolean;
  highlighted: boolean;
  guildId: number;
  /** The "new messages" divider goes above this row. */
  divider?: boolean;
  /** A date separator goes above this row, with these words ("Today", a date). */
  day?: string;
}

function MessageRowImpl({ m, compact, highlighted, guildId, divider, day }: Props) {
  const me = useStore((s) => s.me);
  const emojis = useStore((s) => s.emojis[guildId]);
  const stickers = useStore((s) => s.stickers[guildId]);
  // Someone else's message: deleting and pinning need MANAGE_MESSAGES in the channel (section 13).
  const manage = useCan(guildId === 0 ? undefined : guildId, "MANAGE_MESSAGES", m.channel_id);
  const editing = useStore((s) => s.editing === m.id);
  const myRoles = useStore((s) => s.members[guildId]?.find((x) => x.id === s.me?.id)?.roles);
  const mention = useMentionRender(guildId, !!m.mention_everyone);
  const [picker, setPicker] = useState(false);
  const mine = me?.id === m.author_id;
  const map = emojiMap(emojis);
  const sticker = stickerOf(m.content, stickers);
  useEffect(() => { if (m.poll) void ensureMyVotes(m); }, [m.poll?.id]);

  return (
    <article class={`msg ${compact ? "compact" : ""} ${highlighted ? "highlight" : ""} ${m.pending ? "pending" : ""} ${mentionsMe(m, me?.id, myRoles) ? "mentioned" : ""} ${day ? "day-start" : ""}`}
      data-mid={m.id} tabIndex={-1} aria-label={`${m.display_name || m.username}, ${formatTime(m.timestamp)}`}>
      {/* Drawn in the row's own top margin: the list's measured heights stay true. */}
      {day && <DaySeparator day={day} />}
      {divider && <div class="new-divider" role="separator" aria-label={t("newMessages")}><span>{t("newMessages")}</span></div>}
      {!compact && <Avatar name={m.username} src={m.avatar} />}
      <div class="msg-body">
        {m.reply_to && <ReplyQuote m={m} />}
        {!compact && (
          <div class="msg-head">
            <span class="author" title={m.display_name ? m.username : undefined}>{m.display_name || m.username}</span>
            <time dateTime={m.timestamp} title={formatFull(m.timestamp)}>{formatTime(m.timestamp)}</time>
            {m.pinned && <span class="pin-mark" title={t("pinned")}>📌 <span class="sr-only">{t("pinned")}</span></span>}
          </div>
        )}
        {editing ? (
          <InlineEditor m={m} guildId={guildId} />
        ) : sticker ? (
          <img class="sticker" src={fileUrl(sticker.file_path)} alt={`${t("sticker")}: ${sticker.name}`}
            title={sticker.description ?? sticker.name} width={160} height={160} />
        ) : m.content && !(m.poll && m.poll.question === m.content) ? (
          <div class="content" data-testid="content">
            {renderMarkdown(m.content, map, mention)}
            {m.edited_at && (
              <>{" "}<button type="button" class="edited link" title={`${formatFull(m.edited_at)} — ${t("editHistory")}`}
                aria-label={`${t("edited")} — ${t("editHistory")}`}
                onClick={() => setState({ modal: { kind: "editHistory", data: m } })}>{t("edited")}</button></>
            )}
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
            <button class="link" aria-label={t("retrySend")} title={t("retrySend")} onClick={() => retrySend(m)}>↻</button>
            <button class="link" onClick={() => discardPending(m)}>{t("delete")}</button>
          </div>
        )}
      </div>
      {!m.pending && (
        <div class="msg-actions" role="toolbar" aria-label={t("messageActions")}>
          <button class="icon small" aria-label={t("react")} title={t("react")}
            aria-expanded={picker} onClick={() => setPicker(!picker)}>☺</button>
          <button class="icon small" aria-label={t("reply")} title={t("reply")}
            onClick={() => startReply(m)}>↩</button>
          {mine && !sticker && (
            <button class="icon small" aria-label={t("edit")} title={t("edit")}
              onClick={() => setState({ editing: m.id })}>✎</button>
          )}
          {(mine || manage || guildId === 0 /* a DM: any recipient pins */) && (
            <button class="icon small" aria-label={m.pinned ? t("unpin") : t("pin")}
              title={m.pinned ? t("unpin") : t("pin")} onClick={() => togglePin(m)}>📌</button>
          )}
          {(mine || manage) && (
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
          <a key={f.path} href={url} target="_blank" rel="noopener noreferrer" class="image-link"
            onClick={(e) => viewImageClick(e, { src: url, name: f.filename })}>
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

function InlineEditor({ m, guildId }: { m: Message; guildId: number }) {
  const label = useMentionLabel(guildId);
  // Mentions as names while editing ("@alice", not "<@12>"), tokens again on save.
  const [start] = useState(() => decodeForEdit(m.content, label));
  const [text, setText] = useState(start.text);
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
            if (v && v !== start.text.trim()) void editMessage(m, encodeMentions(v, start.picked));
            if (!v && getState().me?.id === m.author_id) setState({ modal: { kind: "confirmDelete", data: m } });
            done();
          }
        }} />
      <p class="muted small">{t("editing")}</p>
    </div>
  );
}
