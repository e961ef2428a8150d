import { describe, expect, it } from "vitest";
import { groupChannels } from "../src/components/ChannelList";
import { channelOfRoom, room } from "../src/realtime";
import { channelPath, parseRoute } from "../src/router";
import type { Channel } from "../src/types";

describe("routes", () => {
  it("parses every client route", () => {
    expect(parseRoute("/")).toEqual({ name: "home" });
    expect(parseRoute("/channels/3/7")).toEqual({ name: "channels", guildId: 3, channelId: 7 });
    expect(parseRoute("/channels/3")).toEqual({ name: "channels", guildId: 3 });
    expect(parseRoute("/invite/AbC123xy")).toEqual({ name: "invite", code: "AbC123xy" });
    expect(parseRoute("/friends")).toEqual({ name: "friends" });
    expect(parseRoute("/login", "?next=%2Fchannels%2F1")).toEqual({ name: "login", next: "/channels/1" });
    expect(parseRoute("/register")).toEqual({ name: "register", next: undefined });
  });

  it("refuses redirects off the site and unknown paths", () => {
    expect(parseRoute("/login", "?next=//evil.example")).toEqual({ name: "login", next: undefined });
    expect(parseRoute("/login", "?next=https://evil.example")).toEqual({ name: "login", next: undefined });
    expect(parseRoute("/channels/x/1")).toEqual({ name: "notfound" });
    expect(parseRoute("/nope")).toEqual({ name: "notfound" });
  });

  it("builds channel paths and socket rooms", () => {
    expect(channelPath(1, 2)).toBe("/channels/1/2");
    expect(room(1, 2)).toBe("g:1:c:2");
    expect(channelOfRoom("g:1:c:2")).toBe(2);
    expect(channelOfRoom("u:1")).toBeUndefined();
    expect(channelOfRoom(undefined)).toBeUndefined();
  });
});

describe("channel groups", () => {
  const ch = (id: number, type: Channel["type"], category_id: number | null = null): Channel =>
    ({ id, name: `c${id}`, type, guild_id: 1, position: id, category_id });

  it("puts loose channels first, then each category with its channels", () => {
    const groups = groupChannels([ch(1, "text"), ch(2, "category"), ch(3, "text", 2), ch(4, "text", 99)]);
    expect(groups.map((g) => [g.category?.id ?? null, g.channels.map((c) => c.id)])).toEqual([
      [null, [1, 4]],
      [2, [3]],
    ]);
  });
});

describe("account recovery routes", () => {
  it("reads the mailed token from /reset-password", () => {
    expect(parseRoute("/reset-password", "?token=abc_DEF-123")).toEqual({ name: "resetPassword", token: "abc_DEF-123" });
    expect(parseRoute("/reset-password", "")).toEqual({ name: "resetPassword", token: "" });
    expect(parseRoute("/forgot-password")).toEqual({ name: "forgot" });
  });
});
