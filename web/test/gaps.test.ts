import { describe, expect, it } from "vitest";
import { applyReaction, fillGap, mergeMessages, newestStoredId } from "../src/gaps";
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
