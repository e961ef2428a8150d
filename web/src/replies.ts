// Replies (docs/API.md section 16): the reference a reply carries, built locally for a
// message still being sent.
import type { Message, ReplyRef } from "./types";

export const REPLY_SNIPPET = 100;

/** The `reply_to` object the server would send for an answer to `m`. */
export function replyRef(m: Message | ReplyRef): ReplyRef {
  if ("deleted" in m && m.deleted) return { id: m.id, deleted: true };
  const x = m as Message;
  return { id: x.id, author_id: x.author_id, username: x.username,
    content: [...x.content].slice(0, REPLY_SNIPPET).join("") };
}

/** One line of the original for the quote (line breaks flattened). */
export function snippet(content: string, max = REPLY_SNIPPET): string {
  const flat = content.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The original `id` was deleted: replies to it say so (the server sends no event for them). */
export function originalDeleted<T extends Pick<Message, "reply_to">>(items: T[], id: number): T[] {
  return items.map((x) => (x.reply_to && x.reply_to.id === id && !("deleted" in x.reply_to && x.reply_to.deleted)
    ? { ...x, reply_to: { id, deleted: true as const } } : x));
}
