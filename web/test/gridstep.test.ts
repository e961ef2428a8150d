import { describe, expect, it } from "vitest";
import { gridStepIndex } from "../src/components/pickergrid";

// Two sections: 3 custom emojis on one row (y=0), then 8 standard ones in rows of 3 (y=50, 80, 110).
const box = (col: number, top: number) => ({ left: col * 30, top, width: 28 });
const boxes = [box(0, 0), box(1, 0), box(2, 0),
  box(0, 50), box(1, 50), box(2, 50), box(0, 80), box(1, 80), box(2, 80), box(0, 110), box(1, 110)];

describe("picker arrow keys (emoji, stickers)", () => {
  it("left and right walk the list and stop at its ends", () => {
    expect(gridStepIndex(boxes, 0, "ArrowRight")).toBe(1);
    expect(gridStepIndex(boxes, 2, "ArrowRight")).toBe(3); // into the next section
    expect(gridStepIndex(boxes, 0, "ArrowLeft")).toBe(0);
    expect(gridStepIndex(boxes, 10, "ArrowRight")).toBe(10);
  });
  it("up and down keep the column, across sections", () => {
    expect(gridStepIndex(boxes, 1, "ArrowDown")).toBe(4);
    expect(gridStepIndex(boxes, 4, "ArrowDown")).toBe(7);
    expect(gridStepIndex(boxes, 4, "ArrowUp")).toBe(1);
    expect(gridStepIndex(boxes, 0, "ArrowUp")).toBe(0);
    // the last row is short: down from its right goes to the nearest item
    expect(gridStepIndex(boxes, 8, "ArrowDown")).toBe(10);
  });
  it("Home and End jump; other keys are not ours", () => {
    expect(gridStepIndex(boxes, 5, "Home")).toBe(0);
    expect(gridStepIndex(boxes, 5, "End")).toBe(10);
    expect(gridStepIndex(boxes, 5, "a")).toBeNull();
    expect(gridStepIndex([], 0, "ArrowDown")).toBeNull();
  });
});
