import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { matchScore, navigableChannels, rankEntries, stepChannel, switchEntries } from "../src/quickswitch";
import { inviteCodeFrom } from "../src/invitecode";
import { signupErrors } from "../src/signup";
import { decodeForEdit } from "../src/mentionedit";
import { encodeMentions } from "../src/mentions";
import { channelToOpen, rememberChannel } from "../src/lastchannel";
import { isLive, reusable } from "../src/invites";
import { dmPerson } from "../src/dms";
import type { Channel, Guild } from "../src/types";

const ch = (id: number, name: string, extra: Partial<Channel> = {}) =>
  ({ id, name, type: "text", guild_id: 1, position: id, ...extra }) as Channel;

describe("quick switcher", () => {
  it("scores exact, prefix, word prefix, substring, subsequence; -1 for none", () => {
    expect(matchScore("general", "general")).toBe(0);
    expect(matchScore("gen", "general")).toBe(1);
    expect(matchScore("#gen", "general")).toBe(1);
    expect(matchScore("chat", "off-chat")).toBe(2);
    expect(matchScore("era", "general")).toBe(3);
    expect(matchScore("gnrl", "general")).toBe(4);
    expect(matchScore("xyz", "general")).toBe(-1);
  });

  it("ranks the best first and keeps the given order among equals", () => {
    const e = (label: string) => ({ key: label, kind: "channel" as const, label, hint: "", path: "/" });
    const out = rankEntries("ge", [e("bridge"), e("general"), e("gears"), e("xx")]);
    expect(out.map((x) => x.label)).toEqual(["general", "gears", "bridge"]);
  });

  it("lists the current server's channels first, then DMs and servers", () => {
    const guilds = [{ id: 1, name: "A" }, { id: 2, name: "B" }] as Guild[];
    const lists: Record<number, Channel[]> = { 1: [ch(10, "a1")], 2: [ch(20, "b1", { guild_id: 2 })] };
    const out = switchEntries(guilds, (id) => lists[id] ?? [], [ch(30, "bob", { type: "dm", guild_id: 0 })], 2);
    expect(out.map((x) => x.path)).toEqual(["/channels/2/20", "/channels/1/10", "/channels/@me/30", "/channels/1", "/channels/2"]);
  });

  it("steps through text channels in list order, wrapping; skips voice and categories", () => {
    const list = navigableChannels([
      ch(1, "cat", { type: "category" }), ch(2, "in-cat", { category_id: 1 }), ch(3, "loose"),
      ch(4, "talk", { type: "voice" }),
    ]);
    expect(list.map((c) => c.name)).toEqual(["loose", "in-cat"]);
    expect(stepChannel(list, 3, 1)?.name).toBe("in-cat");
    expect(stepChannel(list, 2, 1)?.name).toBe("loose");
    expect(stepChannel(list, 3, -1)?.name).toBe("in-cat");
    expect(stepChannel([], 3, 1)).toBeUndefined();
  });
});

describe("first-run invite field", () => {
  it("takes a link from any host or a bare code", () => {
    expect(inviteCodeFrom("https://chat.example.org/invite/AbC12345")).toBe("AbC12345");
    expect(inviteCodeFrom("  AbC12345 ")).toBe("AbC12345");
    expect(inviteCodeFrom("/invite/AbC12345/?x=1")).toBe("AbC12345");
    expect(inviteCodeFrom("not an invite!")).toBeNull();
    expect(inviteCodeFrom("https://evil.example/other/AbC12345")).toBeNull();
  });
});

describe("registration", () => {
  it("reports every broken rule at once", () => {
    const e = signupErrors("a", "nope", "short");
    expect(Object.keys(e).sort()).toEqual(["email", "password", "username"]);
    expect(signupErrors("alice", "alice@example.com", "correct horse")).toEqual({});
    expect(Object.keys(signupErrors("alice", "alice@example.com", "ALICE"))).toEqual(["password"]);
    expect(signupErrors("алиса_1", "a@b.co", "long enough")).toEqual({});
  });
});

describe("editing mentions", () => {
  it("shows names and turns them back into the same tokens", () => {
    const label = (t: { kind: string; id?: number }) =>
      (t.kind === "user" && t.id === 12 ? "alice" : t.kind === "channel" && t.id === 7 ? "general" : undefined);
    const d = decodeForEdit("hi <@12> see <#7> and <@99>", label as never);
    expect(d.text).toBe("hi @alice see #general and <@99>");
    expect(encodeMentions(d.text + " ok", d.picked)).toBe("hi <@12> see <#7> and <@99> ok");
  });
});

describe("DM people", () => {
  it("finds a recipient of any DM", () => {
    const dms = [{ recipients: [{ id: 1, username: "me" }] }, { recipients: [{ id: 2, username: "bob" }] }];
    expect(dmPerson(dms, 2)?.username).toBe("bob");
    expect(dmPerson(dms, 3)).toBeUndefined();
    expect(dmPerson(undefined, 2)).toBeUndefined();
  });
});

describe("last channel per server", () => {
  const store = new Map<string, string>();
  beforeEach(() => {
    (globalThis as { localStorage?: unknown }).localStorage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => { store.set(k, v); },
    };
  });
  afterEach(() => { store.clear(); delete (globalThis as { localStorage?: unknown }).localStorage; });

  it("opens the remembered channel while it is listed, else the first text channel", () => {
    const list = [ch(1, "cat", { type: "category" }), ch(2, "general"), ch(3, "random"), ch(4, "talk", { type: "voice" })];
    expect(channelToOpen(5, list)).toBe(2);
    rememberChannel(5, 3);
    expect(channelToOpen(5, list)).toBe(3);
    expect(channelToOpen(6, list)).toBe(2);
    rememberChannel(5, 4); // a voice channel is never opened as a chat
    expect(channelToOpen(5, list)).toBe(2);
    expect(channelToOpen(5, list.filter((c) => c.id !== 3))).toBe(2);
  });
});

describe("invites page", () => {
  it("keeps only live invites", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(isLive({ code: "a", expires_at: null, max_uses: 0, uses: 9 }, now)).toBe(true);
    expect(isLive({ code: "a", expires_at: "2025-12-31T00:00:00Z", max_uses: 0, uses: 0 }, now)).toBe(false);
    expect(isLive({ code: "a", expires_at: null, max_uses: 2, uses: 2 }, now)).toBe(false);
  });
});

describe("invite dialog", () => {
  it("reuses one of my unlimited invites that stays valid, newest first", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const inv = (code: string, creator: number, max: number, exp: string | null) =>
      ({ code, creator_id: creator, max_uses: max, uses: 0, expires_at: exp });
    const list = [inv("old", 1, 0, null), inv("limited", 1, 5, null), inv("bobs", 2, 0, null),
      inv("soon", 1, 0, "2026-01-01T00:30:00Z")];
    expect(reusable(list, 1, now)?.code).toBe("old");
    expect(reusable(list, 3, now)).toBeUndefined();
    expect(reusable([...list, inv("new", 1, 0, "2026-01-02T00:00:00Z")], 1, now)?.code).toBe("new");
  });
});
