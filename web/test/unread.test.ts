import { describe, expect, it } from "vitest";
import {
  anyUnread, emptyUnread, isUnread, markRead, noteMessage, seed, tabTitle, unreadCount, type UnreadState,
} from "../src/unread";

describe("unread marks", () => {
  it("a channel seen for the first time starts read", () => {
    const s = seed(emptyUnread(), 1, 10);
    expect(isUnread(s, 1)).toBe(false);
  });

  it("a message from someone else in another channel makes it unread", () => {
    let s = seed(emptyUnread(), 1, 10);
    s = noteMessage(s, 1, 11, false, false);
    expect(isUnread(s, 1)).toBe(true);
    expect(anyUnread(s, [2, 1])).toBe(true);
  });

  it("our own messages and messages in the channel on screen stay read", () => {
    let s = seed(emptyUnread(), 1, 10);
    s = noteMessage(s, 1, 11, true, false);
    expect(isUnread(s, 1)).toBe(false);
    s = noteMessage(s, 1, 12, false, true);
    expect(isUnread(s, 1)).toBe(false);
  });

  it("opening the channel marks it read", () => {
    let s = noteMessage(seed(emptyUnread(), 1, 10), 1, 11, false, false);
    s = markRead(s, 1);
    expect(isUnread(s, 1)).toBe(false);
  });

  it("a stored last-read position survives and older history does not lower it", () => {
    let s: UnreadState = { ...emptyUnread(), lastRead: { 1: 20 } };
    s = seed(s, 1, 25);
    expect(isUnread(s, 1)).toBe(true);
    s = seed(s, 1, 5);
    expect(s.latest[1]).toBe(25);
  });

  it("an unknown channel is not unread", () => {
    expect(isUnread(emptyUnread(), 99)).toBe(false);
  });
});

describe("unread count and the tab title", () => {
  it("counts messages that arrive unseen, once each, and clears on reading", () => {
    let s = seed(emptyUnread(), 1, 10);
    s = noteMessage(s, 1, 11, false, false);
    s = noteMessage(s, 1, 12, false, false);
    s = noteMessage(s, 1, 12, false, false); // the same message again (gap fill)
    s = noteMessage(s, 2, 30, false, false);
    expect(unreadCount(s)).toBe(3);
    s = markRead(s, 1);
    expect(unreadCount(s)).toBe(1);
    s = noteMessage(s, 2, 31, true, false); // replying reads the channel
    expect(unreadCount(s)).toBe(0);
  });

  it("a channel left unread before a reload counts at least one", () => {
    let s: UnreadState = { ...emptyUnread(), lastRead: { 1: 20 } };
    s = seed(s, 1, 25);
    expect(unreadCount(s)).toBe(1);
  });

  it("titles the tab with the count and the channel", () => {
    expect(tabTitle("Guildhall", 3, { name: "general", type: "text" })).toBe("(3) #general · Guildhall");
    expect(tabTitle("Guildhall", 0, { name: "general", type: "text" })).toBe("#general · Guildhall");
    expect(tabTitle("Guildhall", 2)).toBe("(2) Guildhall");
    expect(tabTitle("Guildhall", 0, { name: "lobby", type: "voice" })).toBe("lobby · Guildhall");
  });
});
