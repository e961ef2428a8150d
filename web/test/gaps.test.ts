import { describe, expect, it } from "vitest";
import { applyReaction, fillGap, mergeMessages, newestStoredId, reconcileNewest } from "../src/gaps";
import type { Message } from "../src/types";

const msg = (id: number, extra: Partial<Message> = {}): Message => ({
  id, channel_id: 1, guild_id: 1, author_id: 1, username: "alice", content: `m${id}`,
  timestamp: "2024-01-01T00:00:00Z", reactions: [], files: [], ...extra,
});

describe("mergeMessages", () => {
  it("sorts by id and drops duplicates, the newer copy winning", () => {
    const out = mergeMessages([msg(1), msg(3)], [msg(2), msg(3, { content: "edited" })]);
    expect(out.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(out[2].content).toBe("edited");
  });

  it("replaces an optimistic message by the stored one with the same nonce", () => {
    const pending = msg(-1, { pending: true, nonce: "n1" });
    const out = mergeMessages([msg(1), pending], [msg(2, { nonce: "n1" })]);
    expect(out.map((m) => m.id)).toEqual([1, 2]);
  });

  it("keeps pending messages after stored ones", () => {
    const out = mergeMessages([msg(-1, { pending: true, nonce: "a" })], [msg(5)]);
    expect(out.map((m) => m.id)).toEqual([5, -1]);
  });

  it("does not re-add a pending copy once the stored one is there", () => {
    const out = mergeMessages([msg(7, { nonce: "x" })], [msg(-3, { pending: true, nonce: "x" })]);
    expect(out.map((m) => m.id)).toEqual([7]);
  });
});

describe("fillGap", () => {
  const channel = Array.from({ length: 250 }, (_, i) => msg(i + 1));
  const fetchAfter = async (after: number, limit: number) =>
    channel.filter((m) => m.id > after).slice(0, limit);

  it("fetches page after page with the after cursor until a short page", async () => {
    const calls: number[] = [];
    const r = await fillGap(async (a, l) => { calls.push(a); return fetchAfter(a, l); }, 20, 100);
    expect(r.complete).toBe(true);
    expect(r.messages.map((m) => m.id)).toEqual(channel.slice(20).map((m) => m.id));
    expect(calls).toEqual([20, 120, 220]);
  });

  it("returns nothing when nothing was missed", async () => {
    const r = await fillGap(fetchAfter, 250, 100);
    expect(r).toEqual({ messages: [], complete: true });
  });

  it("gives up past maxPages so the caller reloads the newest page", async () => {
    const r = await fillGap(fetchAfter, 0, 10, 3);
    expect(r.complete).toBe(false);
    expect(r.messages).toHaveLength(30);
  });

  it("the cursor for the next fill is the newest stored message", () => {
    expect(newestStoredId([msg(1), msg(4), msg(-1, { pending: true })])).toBe(4);
    expect(newestStoredId([])).toBeUndefined();
  });
});

describe("applyReaction", () => {
  it("adds and removes a user once, whatever the number of events", () => {
    let m = msg(1);
    m = applyReaction(m, "👍", "bob", true);
    m = applyReaction(m, "👍", "bob", true);
    expect(m.reactions).toEqual([{ emoji: "👍", count: 1, users: ["bob"] }]);
    m = applyReaction(m, "👍", "bob", false);
    expect(m.reactions).toEqual([]);
  });
});

describe("keeping the caller's poll votes", () => {
  const poll = (extra: Record<string, unknown> = {}) => ({
    id: "p1", question: "q", options: [], allow_multiple: false,
    expires_at: "2030-01-01T00:00:00Z", ...extra,
  }) as unknown as NonNullable<Message["poll"]>;

  it("a page's copy without user_votes keeps the votes we fetched", () => {
    const held = msg(1, { poll: poll({ user_votes: ["o1"] }) });
    const out = mergeMessages([held], [msg(1, { poll: poll() })]);
    expect(out[0].poll?.user_votes).toEqual(["o1"]);
  });

  it("a copy that carries user_votes wins", () => {
    const held = msg(1, { poll: poll({ user_votes: ["o1"] }) });
    const out = mergeMessages([held], [msg(1, { poll: poll({ user_votes: [] }) })]);
    expect(out[0].poll?.user_votes).toEqual([]);
  });
});

describe("reconcileNewest", () => {
  const ids = (ms: Message[]) => ms.map((m) => m.id);

  it("drops what the server no longer has and applies edits within the page", () => {
    const held = [msg(1), msg(2), msg(3), msg(4)];
    const r = reconcileNewest(held, [msg(1), msg(3, { content: "edited" }), msg(5)], 100, true);
    expect(ids(r.items)).toEqual([1, 3, 5]);
    expect(r.items[1].content).toBe("edited");
    expect(r.hasMoreBefore).toBe(false); // a short page is the whole channel
  });

  it("keeps older rows below a full page and pending sends", () => {
    const held = [msg(1), msg(2), msg(3), msg(-1, { pending: true, nonce: "n" })];
    const r = reconcileNewest(held, [msg(3), msg(4)], 2, true);
    expect(ids(r.items)).toEqual([1, 2, 3, 4, -1]);
    expect(r.hasMoreBefore).toBe(true);
    expect(r.replaced).toBe(false);
  });

  it("starts from the page alone when too much was missed to stitch", () => {
    const r = reconcileNewest([msg(1), msg(2)], [msg(10), msg(11)], 2, false);
    expect(ids(r.items)).toEqual([10, 11]);
    expect(r.replaced).toBe(true);
    expect(r.hasMoreBefore).toBe(true);
  });

  it("an empty channel keeps only pending sends", () => {
    const r = reconcileNewest([msg(1), msg(-1, { pending: true })], [], 100, true);
    expect(ids(r.items)).toEqual([-1]);
  });
});
