// An in-app image viewer: clicking an attached image opens it large over the app
// (Escape, the ✕ or a click beside it closes; "Open original" opens the file itself).
import { useEffect, useRef, useState } from "preact/hooks";
import { tf } from "../i18n-features";
import { useDialog } from "./dialog";

export interface ViewedImage {
  src: string;
  name: string;
}

let current: ViewedImage | null = null;
const listeners = new Set<() => void>();

export function openImage(img: ViewedImage | null): void {
  current = img;
  for (const l of listeners) l();
}

/** onClick for an image's link: view it here unless a modifier asks for a new tab. */
export function viewImageClick(e: MouseEvent, img: ViewedImage): void {
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  openImage(img);
}

export function ImageViewerHost() {
  const [img, setImg] = useState(current);
  useEffect(() => {
    const l = () => setImg(current);
    listeners.add(l);
    return () => { listeners.delete(l); };
  }, []);
  return img ? <ImageViewer img={img} /> : null;
}

function ImageViewer({ img }: { img: ViewedImage }) {
  const ref = useRef<HTMLDivElement>(null);
  const close = () => openImage(null);
  const onKeyDown = useDialog(ref, close, ".viewer-close");
  return (
    <div class="viewer-backdrop" data-testid="image-viewer"
      onMouseDown={(e) => { if (e.target === e.currentTarget) close(); }}>
      <div class="viewer" role="dialog" aria-modal="true" aria-label={`${tf("imageViewer")}: ${img.name}`}
        ref={ref} onKeyDown={onKeyDown}
        onMouseDown={(e) => { if (e.target === e.currentTarget) close(); }}>
        <img class="viewer-img" src={img.src} alt={img.name} />
        <div class="viewer-bar">
          <span class="viewer-name">{img.name}</span>
          <a href={img.src} target="_blank" rel="noopener noreferrer">{tf("openOriginal")}</a>
          <button type="button" class="icon viewer-close" aria-label={tf("closeViewer")} onClick={close}>✕</button>
        </div>
      </div>
    </div>
  );
}
