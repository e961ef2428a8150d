import { useRef } from "preact/hooks";
import { fileUrl } from "../api";
import { STANDARD_EMOJIS } from "../emojis";
import { t } from "../i18n";
import { useStore } from "../store";
import { useOpenUpwardsWhenCut } from "./pickerfit";
import { usePickerKeys } from "./pickergrid";

export interface Picked {
  /** what a reaction sends: the unicode emoji or `:name:` */
  reaction: string;
  /** what goes into message text */
  text: string;
}

export function EmojiPicker({ guildId, onPick, onClose }: { guildId: number;
  onPick: (e: Picked) => void; onClose: () => void }) {
  const custom = useStore((s) => s.emojis[guildId]) ?? [];
  const ref = useRef<HTMLDivElement>(null);
  useOpenUpwardsWhenCut(ref);
  const keys = usePickerKeys(ref, onClose);
  const pick = (e: Picked) => { keys.giveBack(); onPick(e); };
  return (
    <div class="picker" role="dialog" aria-label={t("emojiPicker")} ref={ref}
      onKeyDown={keys.onKeyDown}>
      {custom.length > 0 && (
        <>
          <h4>{t("customEmojis")}</h4>
          <div class="picker-grid">
            {custom.map((e) => (
              <button key={e.id} type="button" class="picker-item" aria-label={`:${e.name}:`} title={`:${e.name}:`}
                onClick={() => pick({ reaction: `:${e.name}:`, text: `:${e.name}:` })}>
                <img src={fileUrl(e.file_path)} alt="" class="emoji" />
              </button>
            ))}
          </div>
        </>
      )}
      <h4>{t("standardEmojis")}</h4>
      <div class="picker-grid">
        {STANDARD_EMOJIS.map((e) => (
          <button key={e} type="button" class="picker-item" aria-label={e}
            onClick={() => pick({ reaction: e, text: e })}>{e}</button>
        ))}
      </div>
    </div>
  );
}
