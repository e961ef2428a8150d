// "(edited)" opens the message's earlier versions (GET /api/messages/{id}/edits, oldest
// first), then the current text.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { emojiMap } from "../emojis";
import { errorText } from "../errors";
import { formatFull, t } from "../i18n";
import { renderMarkdown } from "../markdown";
import { useStore } from "../store";
import type { Message, MessageEdit } from "../types";
import { useMentionRender } from "./Mention";
import { Modal } from "./dialogs/Modal";

/** Shown while the store's modal is `{kind: "editHistory", data: message}`. */
export function EditHistoryHost() {
  const modal = useStore((s) => s.modal);
  return modal?.kind === "editHistory" ? <EditHistory m={modal.data as Message} /> : null;
}

function EditHistory({ m }: { m: Message }) {
  const [edits, setEdits] = useState<MessageEdit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const emojis = useStore((s) => (m.guild_id === null ? undefined : s.emojis[m.guild_id]));
  // The current text as the log shows it (a later edit may have arrived meanwhile).
  const current = useStore((s) => s.messages[m.channel_id]?.items.find((x) => x.id === m.id)) ?? m;
  const mention = useMentionRender(m.guild_id, !!m.mention_everyone);
  const map = emojiMap(emojis);
  useEffect(() => {
    let live = true;
    api.edits(m.id).then((e) => { if (live) setEdits(e); }, (e) => { if (live) setError(errorText(e)); });
    return () => { live = false; };
  }, [m.id, current.edited_at]);

  return (
    <Modal title={t("editHistory")}>
      {error ? <p class="form-error" role="alert">{error}</p>
        : edits === null ? <p class="muted" role="status">{t("loading")}</p> : (
          <ol class="edit-history" data-testid="edit-history">
            {edits.length === 0 && <li class="muted">{t("noEarlierVersions")}</li>}
            {edits.map((e, i) => (
              <li key={i} class="edit-version">
                <div class="content">{renderMarkdown(e.content, map, mention)}</div>
                <time class="muted small" dateTime={e.edited_at}>{t("replacedAt", { when: formatFull(e.edited_at) })}</time>
              </li>
            ))}
            <li class="edit-version current">
              <div class="content">{renderMarkdown(current.content, map, mention)}</div>
              <span class="muted small">{t("currentVersion")}</span>
            </li>
          </ol>
        )}
    </Modal>
  );
}
