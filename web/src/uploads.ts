// Attachments waiting in the composer: uploaded at once, with progress, sent with the message.
import { api, ApiError } from "./api";
import { showError } from "./actions/common";
import { errorText } from "./errors";
import { t } from "./i18n";
import { getState, setState, toast, type Upload } from "./store";

let seq = 0;

function patch(channelId: number, id: number, p: Partial<Upload>): void {
  setState((s) => ({ uploads: { ...s.uploads,
    [channelId]: (s.uploads[channelId] ?? []).map((u) => (u.id === id ? { ...u, ...p } : u)) } }));
}

export async function startUpload(channelId: number, file: File): Promise<void> {
  const id = ++seq;
  const name = file.name || `pasted-${id}.png`;
  setState((s) => ({ uploads: { ...s.uploads,
    [channelId]: [...(s.uploads[channelId] ?? []), { id, name, progress: 0 }] } }));
  for (let attempt = 0; ; attempt++) {
    try {
      const ref = await api.upload(file, name, (p) => patch(channelId, id, { progress: p }));
      patch(channelId, id, { progress: 1, path: ref.path, name: ref.filename, size: ref.size,
        mimetype: ref.mimetype, preview: ref.preview });
      return;
    } catch (e) {
      if (e instanceof ApiError && e.status === 429 && attempt < 3) {
        const wait = e.retryAfter ?? 5000;
        toast(t("retryIn", { s: Math.ceil(wait / 1000) }), "info");
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      patch(channelId, id, { error: errorText(e) });
      showError(e);
      return;
    }
  }
}

export function removeUpload(channelId: number, id: number): void {
  setState((s) => ({ uploads: { ...s.uploads,
    [channelId]: (s.uploads[channelId] ?? []).filter((u) => u.id !== id) } }));
}

export function takeReady(channelId: number) {
  const list = getState().uploads[channelId] ?? [];
  const ready = list.filter((u) => u.path);
  setState((s) => ({ uploads: { ...s.uploads,
    [channelId]: (s.uploads[channelId] ?? []).filter((u) => !u.path) } }));
  return ready.map((u) => ({ path: u.path!, filename: u.name, size: u.size ?? 0,
    mimetype: u.mimetype ?? "", preview: u.preview }));
}

export function uploadsBusy(channelId: number): boolean {
  return (getState().uploads[channelId] ?? []).some((u) => !u.path && !u.error);
}
