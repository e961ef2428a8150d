import { useEffect, useRef } from "preact/hooks";
import { fileUrl } from "../api";
import { STANDARD_EMOJIS } from "../emojis";
import { t } from "../i18n";
import { useStore } from "../store";

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
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>("button")?.focus();
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    setTimeout(() => addEventListener("mousedown", onDown));
    return () => removeEventListener("mousedown", onDown);
  }, []);
  return (
    <div class="picker" role="dialog" aria-label={t("emojiPicker")} ref={ref}
      onKeyDown={(e) => { if (e.key === "Escape") { e.stopPropagation(); onClose(); } }}>
      {custom.length > 0 && (
        <>
          <h4>{t("customEmojis")}</h4>
          <div class="picker-grid">
            {custom.map((e) => (
              <button key={e.id} type="button" class="picker-item" aria-label={`:${e.name}:`} title={`:${e.name}:`}
                onClick={() => onPick({ reaction: `:${e.name}:`, text: `:${e.name}:` })}>
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
            onClick={() => onPick({ reaction: e, text: e })}>{e}</button>
        ))}
      </div>
    </div>
  );
}
