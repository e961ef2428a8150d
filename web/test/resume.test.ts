import { describe, expect, it } from "vitest";
import { SeqTracker } from "../src/resume";

describe("SeqTracker", () => {
  it("applies each numbered event once, in any overlap of replay and live stream", () => {
    const t = new SeqTracker();
    t.set(1, 4);
    expect(t.take(1, 4)).toBe(false);
    expect(t.take(1, 5)).toBe(true);
    expect(t.take(1, 5)).toBe(false);
    expect(t.take(1, 3)).toBe(false);
    expect(t.take(2, 1)).toBe(true); // channels are numbered apart
    expect(t.take(1, undefined)).toBe(true); // unnumbered events always apply
  });

  it("names the rooms to resume with the last number seen", () => {
    const t = new SeqTracker();
    t.set(7, 3);
    t.take(7, 9);
    t.set(8, 0);
    t.set(7, 2); // an older answer never moves it back
    expect(t.rooms((c) => (c === 8 ? undefined : `g:1:c:${c}`))).toEqual({ "g:1:c:7": 9 });
    t.drop(7);
    expect(t.rooms((c) => `g:1:c:${c}`)).toEqual({ "g:1:c:8": 0 });
  });
});
