// The frame every dialog shares: title, close button, Escape and focus (useDialog),
// an optional form whose submit is not sent twice, and the Cancel/submit row.
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { t } from "../../i18n";
import { setState } from "../../store";
import { useDialog } from "../dialog";

export const close = () => setState({ modal: null });

export function Modal({ title, children, onSubmit }: { title: string; children: ComponentChildren;
  onSubmit?: () => Promise<void> | void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [busy, setBusy] = useState(false);
  const onKeyDown = useDialog(ref, close);
  const body = (
    <>
      <div class="modal-head">
        <h2 id="modal-title">{title}</h2>
        <button type="button" class="icon small modal-x" aria-label={t("close")} onClick={close}>✕</button>
      </div>
      {children}
    </>
  );
  return (
    <div class="modal-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) close(); }}>
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title" ref={ref} onKeyDown={onKeyDown}>
        {onSubmit ? (
          <form onSubmit={async (e) => {
            e.preventDefault();
            if (busy) return;
            setBusy(true);
            try { await onSubmit(); } finally { setBusy(false); }
          }}>{body}</form>
        ) : body}
      </div>
    </div>
  );
}

export function Actions({ submit, children }: { submit?: string; children?: ComponentChildren }) {
  return (
    <div class="modal-actions">
      {children}
      <button type="button" onClick={close}>{t("cancel")}</button>
      {submit && <button type="submit" class="primary">{submit}</button>}
    </div>
  );
}
