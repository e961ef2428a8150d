import { describe, expect, it } from "vitest";
import {
  applyServer, dropDivider, enterChannel, firstUnreadId, mentionTotal, noteHistory, noteIncoming,
  pendingAcks,
} from "../src/readstates";
import { originalDeleted, replyRef, snippet } from "../src/replies";
import type { Message, ReadState } from "../src/types";
import { emptyUnread, isUnread, seed, startUnread, unreadCount } from "../src/unread";

const entry = (p: Partial<ReadState>): ReadState => ({ channel_id: 1, guild_id: 1, last_read_id: 10,
  last_message_id: 10, unread_count: 0, mention_count: 0, ...p });
const msg = (p: Partial<Message>): Message => ({ id: 20, channel_id: 1, guild_id: 1, author_id: 2,
  username: "bob", content: "hi", timestamp: "2024-01-01T00:00:00Z", ...p });

describe("server read state", () => {
  it("the list replaces what the socket's history seeded, so unread survives a reload", () => {
    let s = seed(emptyUnread(), 1, 15); // history seen first: would read as read
    s = applyServer(s, [entry({ last_read_id: 10, last_message_id: 15, unread_count: 3, mention_count: 1 })], true);
    expect(isUnread(s, 1)).toBe(true);
    expect(s.counts[1]).toBe(3);
    expect(s.mentions[1]).toBe(1);
    expect(unreadCount(s)).toBe(3);
  });

  it("nothing of others unread: read up to the newest (own messages after the position)", () => {
    const s = applyServer(emptyUnread(), [entry({ last_read_id: 10, last_message_id: 12 })], true);
    expect(isUnread(s, 1)).toBe(false);
    expect(s.lastRead[1]).toBe(12);
  });

  it("an update never moves a position back", () => {
    let s = applyServer(emptyUnread(), [entry({ last_read_id: 20, last_message_id: 20 })], true);
    s = applyServer(s, [entry({ last_read_id: 15, last_message_id: 20, unread_count: 2 })], false);
    expect(s.lastRead[1]).toBe(20);
    expect(isUnread(s, 1)).toBe(false);
    expect(s.counts[1]).toBe(0);
  });

  it("another tab reading a channel clears it here", () => {
    let s = applyServer(emptyUnread(), [entry({ last_read_id: 10, last_message_id: 15, unread_count: 2, mention_count: 2 })], true);
    s = applyServer(s, [entry({ last_read_id: 15, last_message_id: 15 })], false);
    expect(isUnread(s, 1)).toBe(false);
    expect(s.mentions[1]).toBe(0);
  });

  it("a message that arrived after the list was read stays unread", () => {
    let s = noteIncoming(emptyUnread(), msg({ id: 16 }), 1, [], false);
    s = applyServer(s, [entry({ last_read_id: 15, last_message_id: 15 })], true);
    expect(isUnread(s, 1)).toBe(true);
  });
});

describe("mention counts", () => {
  const base = applyServer(emptyUnread(), [entry({})], true);
  it("count a message mentioning me once, whichever path brought it", () => {
    let s = noteIncoming(base, msg({ id: 11, mentions: [1] }), 1, [], false);
    s = noteIncoming(s, msg({ id: 11, mentions: [1] }), 1, [], false);
    s = noteIncoming(s, msg({ id: 12, mention_roles: [5] }), 1, [5], false);
    s = noteIncoming(s, msg({ id: 13 }), 1, [5], false);
    expect(s.mentions[1]).toBe(2);
    expect(s.counts[1]).toBe(3);
    expect(mentionTotal(s, [1, 2])).toBe(2);
  });
  it("not when looking at the channel, nor for my own message", () => {
    let s = noteIncoming(base, msg({ id: 11, mentions: [1] }), 1, [], true);
    s = noteIncoming(s, msg({ id: 12, author_id: 1, mention_everyone: true }), 1, [], false);
    expect(s.mentions[1] ?? 0).toBe(0);
  });
});

describe("the new-messages divider and acks", () => {
  it("goes after the last read message when a channel is opened unread, and it is read", () => {
    let s = applyServer(emptyUnread(), [entry({ last_read_id: 10, last_message_id: 15, unread_count: 2, mention_count: 1 })], true);
    s = enterChannel(s, 1);
    expect(s.divider).toEqual({ channelId: 1, afterId: 10 });
    expect(isUnread(s, 1)).toBe(false);
    expect(s.mentions[1]).toBe(0);
    // Entering again (read states reloaded) keeps it; another channel drops it.
    expect(enterChannel(s, 1).divider).toEqual({ channelId: 1, afterId: 10 });
    expect(enterChannel(s, 2).divider).toBeNull();
    expect(dropDivider(s).divider).toBeNull();
  });

  it("is drawn at the first message of someone else after it", () => {
    const items = [{ id: 9, author_id: 2 }, { id: 11, author_id: 1 }, { id: 12, author_id: 2 }];
    expect(firstUnreadId(items, 10, 1)).toBe(12);
    expect(firstUnreadId(items, 12, 1)).toBeUndefined();
  });

  it("acks channels read past the server's position; before its list, only listed ones", () => {
    let s = seed(emptyUnread(), 2, 30); // seeded by history before the list: a guess
    expect(pendingAcks(s, {}, false)).toEqual([]);
    s = applyServer(s, [entry({ last_read_id: 10, last_message_id: 15, unread_count: 1 })], true);
    expect(pendingAcks(s, { 1: 10 }, false)).toEqual([]);
    s = enterChannel(s, 1);
    expect(pendingAcks(s, { 1: 10 }, false)).toEqual([[1, 15]]);
    // After the list: a channel that appeared since (created while online) is acked too.
    s = enterChannel(noteIncoming(s, msg({ id: 40, channel_id: 3 }), 1, [], false), 3);
    expect(pendingAcks(s, { 1: 15, 2: 30 }, true)).toEqual([[3, 40]]);
  });
});

describe("replies", () => {
  it("a reply's reference: the original cut to 100 characters, or deleted", () => {
    const long = "ж".repeat(150);
    expect(replyRef(msg({ id: 5, content: long }))).toEqual({ id: 5, author_id: 2, username: "bob", content: "ж".repeat(100) });
    expect(replyRef({ id: 5, deleted: true })).toEqual({ id: 5, deleted: true });
    expect(snippet("a\n\nb  c")).toBe("a b c");
    expect(snippet("x".repeat(10), 5)).toBe("xxxx…");
  });

  it("deleting the original turns the replies on screen into 'original deleted'", () => {
    const items = [msg({ id: 6, reply_to: { id: 5, author_id: 2, username: "bob", content: "q" } }), msg({ id: 7 })];
    const out = originalDeleted(items, 5);
    expect(out[0].reply_to).toEqual({ id: 5, deleted: true });
    expect(out[1]).toBe(items[1]);
  });
});

describe("a room's history", () => {
  it("a channel never seen starts read", () => {
    const s = noteHistory(emptyUnread(), [msg({ id: 5 }), msg({ id: 6 })], 1, [], false);
    expect(isUnread(s, 1)).toBe(false);
    expect(s.latest[1]).toBe(6);
  });

  it("past a known position, every message by others is counted, so later ones add up", () => {
    // The server's list came first: an empty channel, read at 0. The room's history
    // then brings a message (sent before the socket joined); three more come live.
    let s = applyServer(emptyUnread(), [entry({ last_read_id: 0, last_message_id: 0 })], true);
    s = noteHistory(s, [msg({ id: 21 })], 1, [], false);
    expect(unreadCount(s)).toBe(1);
    for (const id of [22, 23, 24]) s = noteIncoming(s, msg({ id }), 1, [], false);
    expect(unreadCount(s)).toBe(4);
    // The same messages again (a re-join's history) count nothing twice.
    s = noteHistory(s, [msg({ id: 21 }), msg({ id: 24 })], 1, [], false);
    expect(unreadCount(s)).toBe(4);
  });

  it("a channel created while online counts what its history brings", () => {
    // channel_created came first; a message was sent before the socket joined the
    // room, so it arrives only in the history: unread, not seeded as read.
    let s = startUnread(emptyUnread(), 1);
    s = noteHistory(s, [msg({ id: 21 })], 1, [], false);
    expect(isUnread(s, 1)).toBe(true);
    expect(unreadCount(s)).toBe(1);
    // A position already known is kept.
    const known = startUnread(seed(emptyUnread(), 1, 30), 1);
    expect(known.lastRead[1]).toBe(30);
  });

  it("my own message in the history reads everything before it", () => {
    let s = applyServer(emptyUnread(), [entry({ last_read_id: 0, last_message_id: 0 })], true);
    s = noteHistory(s, [msg({ id: 23 }), msg({ id: 21 }), msg({ id: 22, author_id: 1 })], 1, [], false);
    expect(s.lastRead[1]).toBe(22);
    expect(unreadCount(s)).toBe(1);
  });
});
