import { fileUrl } from "./api";
import type { EmojiMap } from "./markdown";
import type { Emoji, Sticker } from "./types";

export const STANDARD_EMOJIS = [
  "👍", "👎", "❤️", "😂", "😮", "😢", "😡", "🎉", "🔥", "👀", "✅", "❌", "🙏", "👏", "🤔",
  "😀", "😅", "😍", "😎", "🥳", "😴", "🤯", "💯", "🚀", "⭐", "🍕", "☕", "🐱", "🐶", "🌈",
];

export function emojiMap(list: Emoji[] | undefined): EmojiMap {
  const map: EmojiMap = {};
  for (const e of list ?? []) map[e.name] = fileUrl(e.file_path);
  return map;
}

const STICKER_RE = /^\[sticker:([A-Za-z0-9_-]{1,64})\]$/;

/** A sticker message's content is exactly `[sticker:<id>]` (docs/decisions/web.md). */
export function stickerContent(s: Sticker): string {
  return `[sticker:${s.id}]`;
}

export function stickerOf(content: string, stickers: Sticker[] | undefined): Sticker | undefined {
  const m = STICKER_RE.exec(content.trim());
  return m ? stickers?.find((s) => String(s.id) === m[1]) : undefined;
}
