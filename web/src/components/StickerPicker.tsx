import { useRef } from "preact/hooks";
import { fileUrl } from "../api";
import { t } from "../i18n";
import { useStore } from "../store";
import type { Sticker } from "../types";
import { usePickerKeys } from "./pickergrid";

/** The composer's sticker picker: the same keys and focus return as the emoji picker
 *  (`pickergrid.ts`). Without stickers the dialog itself takes focus, so Escape works. */
export function StickerPicker({ guildId, onPick, onClose }: { guildId: number;
  onPick: (s: Sticker) => void; onClose: () => void }) {
  const stickers = useStore((s) => s.stickers[guildId]) ?? [];
  const ref = useRef<HTMLDivElement>(null);
  const keys = usePickerKeys(ref, onClose);
  return (
    <div class="picker" role="dialog" aria-label={t("stickers")} ref={ref} tabIndex={-1}
      onKeyDown={keys.onKeyDown}>
      {stickers.length === 0 ? <p class="muted">{t("noStickers")}</p> : (
        <div class="picker-grid stickers">
          {stickers.map((s) => (
            <button key={s.id} type="button" class="picker-item" aria-label={`${t("sticker")}: ${s.name}`}
              onClick={() => { keys.giveBack(); onPick(s); }}>
              <img src={fileUrl(s.file_path)} alt="" />
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
