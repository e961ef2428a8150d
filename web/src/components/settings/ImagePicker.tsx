import { useEffect, useState } from "preact/hooks";
import { api, fileUrl } from "../../api";
import { tg } from "../../i18n-gov";
import { errorsFrom } from "../Auth";

/**
 * An avatar or icon: picking a file uploads it at once (with a bar) and previews the
 * centre square the server will keep. `value` is what to save: the upload's path, null
 * to remove, undefined for "unchanged".
 */
export function ImagePicker({ id, label, current, name, value, onChange, onBusy, disabled }: {
  id: string; label: string; current?: string | null; name: string;
  value: string | null | undefined; onChange: (v: string | null | undefined) => void;
  /** While the upload runs there is nothing to save yet. */
  onBusy: (busy: boolean) => void; disabled?: boolean;
}) {
  const [preview, setPreview] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => () => { if (preview) URL.revokeObjectURL(preview); }, [preview]);
  const shown = value === null ? null : preview ?? (current ? fileUrl(current) : null);

  async function pick(file: File) {
    setError(undefined);
    setPreview(URL.createObjectURL(file));
    setProgress(0);
    onBusy(true);
    try {
      const up = await api.upload(file, file.name, setProgress);
      onChange(up.path);
    } catch (e) {
      setPreview(null);
      onChange(undefined);
      setError(errorsFrom(e, []).form);
    } finally {
      setProgress(null);
      onBusy(false);
    }
  }

  return (
    <div class="field image-picker">
      <span class="label" id={`${id}-label`}>{label}</span>
      <div class="image-row">
        <figure class="image-preview" aria-label={tg(id === "icon" ? "iconPreview" : "avatarPreview")}>
          {shown ? <img src={shown} alt="" data-testid={`${id}-preview`} /> : <span aria-hidden="true">{[...name][0]?.toUpperCase()}</span>}
        </figure>
        <div class="image-tools">
          <label class="button" for={`${id}-file`} aria-disabled={disabled ? "true" : undefined}>
            {tg("uploadImage")}
          </label>
          <input id={`${id}-file`} class="sr-only" type="file" accept="image/png,image/jpeg,image/gif,image/webp"
            disabled={disabled} aria-labelledby={`${id}-label`} aria-describedby={error ? `${id}-error` : undefined}
            onChange={(e) => {
              const input = e.currentTarget as HTMLInputElement;
              const f = input.files?.[0];
              input.value = "";
              if (f) void pick(f);
            }} />
          {(shown || current) && (
            <button type="button" class="link" disabled={disabled}
              onClick={() => { setPreview(null); onChange(current ? null : undefined); }}>{tg("removeImage")}</button>
          )}
          {progress !== null && <progress max={1} value={progress} aria-label={tg("uploadImage")} />}
        </div>
      </div>
      {error && <p class="field-error" id={`${id}-error`} role="alert">{error}</p>}
    </div>
  );
}
