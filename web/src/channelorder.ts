// The order the channel list shows a server's channels in.
import type { Channel } from "./types";

export interface ChannelGroup {
  category: Channel | null;
  channels: Channel[];
}

/** Channels without a category first, then each category with its channels, by position. */
export function groupChannels(list: Channel[]): ChannelGroup[] {
  const cats = list.filter((c) => c.type === "category");
  const inCat = (id: number | null) =>
    list.filter((c) => c.type !== "category" && (c.category_id ?? null) === id);
  const known = new Set(cats.map((c) => c.id));
  const loose = list.filter((c) => c.type !== "category"
    && (c.category_id == null || !known.has(c.category_id)));
  return [{ category: null, channels: loose }, ...cats.map((c) => ({ category: c, channels: inCat(c.id) }))];
}
