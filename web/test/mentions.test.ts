import { describe, expect, it } from "vitest";
import {
  activeQuery, applyCandidate, candidates, canMentionEveryone, encodeMentions, matchMention,
  mentionsMe, parseMentions, type Sources,
} from "../src/mentions";
import { tokenize } from "../src/markdown";

describe("mention tokens", () => {
  it("reads Discord's syntax", () => {
    expect(parseMentions("hi <@12> and <@!13>, <@&4> in <#7> @everyone @here").map((t) => [t.kind, "id" in t ? t.id : t.raw]))
      .toEqual([["user", 12], ["user", 13], ["role", 4], ["channel", 7], ["everyone", "@everyone"], ["everyone", "@here"]]);
  });

  it("leaves addresses and longer words alone", () => {
    expect(parseMentions("mail a@everyone.org or @everyoneelse or @heres")).toEqual([]);
    expect(matchMention("<@abc>")).toBeNull();
    expect(matchMention("<@99999999999999999999>")).toBeNull();
  });

  it("becomes a node of the Markdown tree, not inside code", () => {
    expect(tokenize("hey <@5>!")).toEqual([
      { t: "text", text: "hey " }, { t: "mention", token: { kind: "user", id: 5, raw: "<@5>" } },
      { t: "text", text: "!" },
    ]);
    expect(tokenize("`<@5>`")).toEqual([{ t: "code", text: "<@5>" }]);
  });
});

describe("who a message mentions", () => {
  const base = { author_id: 1, mentions: [], mention_roles: [], mention_everyone: false, reply_to: null };
  it("by id, role, @everyone or a reply", () => {
    expect(mentionsMe({ ...base, mentions: [2] }, 2)).toBe(true);
    expect(mentionsMe({ ...base, mention_roles: [9] }, 2, [9])).toBe(true);
    expect(mentionsMe({ ...base, mention_roles: [9] }, 2, [8])).toBe(false);
    expect(mentionsMe({ ...base, mention_everyone: true }, 2)).toBe(true);
    expect(mentionsMe({ ...base, reply_to: { id: 5, author_id: 2, username: "bob", content: "x" } }, 2)).toBe(true);
    expect(mentionsMe({ ...base, reply_to: { id: 5, deleted: true } }, 2)).toBe(false);
    expect(mentionsMe({ ...base }, 2)).toBe(false);
  });
  it("never one's own message", () => {
    expect(mentionsMe({ ...base, author_id: 2, mentions: [2], mention_everyone: true }, 2)).toBe(false);
  });
});

describe("autocomplete", () => {
  it("finds the @word or #word at the caret, only at a word start", () => {
    expect(activeQuery("hi @al", 6)).toEqual({ trigger: "@", query: "al", start: 3 });
    expect(activeQuery("@", 1)).toEqual({ trigger: "@", query: "", start: 0 });
    expect(activeQuery("see #gen", 8)).toEqual({ trigger: "#", query: "gen", start: 4 });
    expect(activeQuery("mail a@b", 8)).toBeNull();
    expect(activeQuery("hi @al there", 12)).toBeNull();
    expect(activeQuery("hi @al there", 6)).toEqual({ trigger: "@", query: "al", start: 3 });
  });

  const src: Sources = {
    users: [{ id: 1, username: "alice" }, { id: 2, username: "malory" }, { id: 3, username: "Bob" }],
    roles: [
      { id: 10, name: "@everyone", mentionable: true, position: 0 },
      { id: 11, name: "Mods", mentionable: true, position: 2 },
      { id: 12, name: "Secret", mentionable: false, position: 1 },
    ],
    channels: [{ id: 7, name: "general", type: "text" }, { id: 8, name: "Talk", type: "category" }],
    everyone: false,
  };

  it("ranks names starting with the query before names containing it", () => {
    const labels = candidates({ trigger: "@", query: "al", start: 0 }, src).map((c) => c.label);
    expect(labels).toEqual(["@alice", "@malory"]);
  });

  it("offers mentionable roles; @everyone and other roles only with the permission", () => {
    const q = { trigger: "@" as const, query: "", start: 0 };
    expect(candidates(q, src).map((c) => c.label)).toEqual(["@alice", "@malory", "@Bob", "@Mods"]);
    expect(candidates(q, { ...src, everyone: true }).map((c) => c.token))
      .toEqual(["<@1>", "<@2>", "<@3>", "<@&11>", "<@&12>", "@everyone", "@here"]);
  });

  it("offers text channels after #", () => {
    expect(candidates({ trigger: "#", query: "", start: 0 }, src).map((c) => c.token)).toEqual(["<#7>"]);
  });

  it("replaces the typed word with the picked name and a space", () => {
    const c = candidates({ trigger: "@", query: "bo", start: 3 }, src)[0];
    expect(applyCandidate("hi @bo there", { trigger: "@", query: "bo", start: 3 }, 6, c))
      .toEqual({ text: "hi @Bob there", caret: 8 });
  });

  it("encodes picked names and members' exact @names, whole words only", () => {
    const picked = candidates({ trigger: "@", query: "mo", start: 0 }, src).filter((c) => c.kind === "role");
    const chan = candidates({ trigger: "#", query: "gen", start: 0 }, src);
    expect(encodeMentions("@Mods and @alice, see #general; not @alicex or a@alice", [...picked, ...chan], src.users))
      .toBe("<@&11> and <@1>, see <#7>; not @alicex or a@alice");
    expect(encodeMentions("@BOB hi", [], src.users)).toBe("<@3> hi");
  });

  it("lets the owner, administrators and MENTION_EVERYONE holders use @everyone", () => {
    const roles = [
      { id: 10, permissions: "0", position: 0 },
      { id: 11, permissions: String(1 << 17), position: 2 },
      { id: 12, permissions: "8", position: 1 },
    ];
    expect(canMentionEveryone(true, [], roles)).toBe(true);
    expect(canMentionEveryone(false, [], roles)).toBe(false);
    expect(canMentionEveryone(false, [11], roles)).toBe(true);
    expect(canMentionEveryone(false, [12], roles)).toBe(true);
    expect(canMentionEveryone(false, [], [{ id: 10, permissions: String(1 << 17), position: 0 }])).toBe(true);
  });
});
