import { describe, expect, it } from "vitest";
import { atBottom, buildOffsets, rowAt, visibleRange } from "../src/windowing";

describe("windowing", () => {
  const keys = Array.from({ length: 10_000 }, (_, i) => i + 1);

  it("builds offsets from measured heights and an estimate for the rest", () => {
    const o = buildOffsets([1, 2, 3], new Map([[2, 100]]), 50);
    expect(Array.from(o)).toEqual([0, 50, 150, 200]);
  });

  it("finds the row under a y position", () => {
    const o = buildOffsets([1, 2, 3], new Map(), 50);
    expect(rowAt(o, 0)).toBe(0);
    expect(rowAt(o, 49)).toBe(0);
    expect(rowAt(o, 50)).toBe(1);
    expect(rowAt(o, 10_000)).toBe(2);
  });

  it("renders only the rows near the viewport of a 10k-message channel", () => {
    const o = buildOffsets(keys, new Map(), 50);
    const r = visibleRange(o, 250_000, 800, 400);
    expect(r.start).toBe(4992);
    expect(r.end).toBe(5025);
    expect(r.end - r.start).toBeLessThan(40);
  });

  it("clamps at both ends", () => {
    const o = buildOffsets(keys, new Map(), 50);
    expect(visibleRange(o, 0, 800, 400)).toEqual({ start: 0, end: 25 });
    const last = visibleRange(o, 500_000 - 800, 800, 400);
    expect(last.end).toBe(10_000);
  });

  it("an empty list renders nothing", () => {
    expect(visibleRange(buildOffsets([], new Map(), 50), 0, 800, 400)).toEqual({ start: 0, end: 0 });
  });

  it("knows when the view is at the bottom", () => {
    expect(atBottom(960, 1000, 2000)).toBe(true);
    expect(atBottom(500, 1000, 2000)).toBe(false);
  });
});
