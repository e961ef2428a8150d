// Windowing math for the message list: only the rows near the viewport are rendered.
// Row heights vary, so measured heights are cached and the rest estimated.

/** offsets[i] is the top of row i; offsets[n] is the total height. */
export function buildOffsets(keys: readonly (number | string)[],
  heights: ReadonlyMap<number | string, number>, estimate: number): Float64Array {
  const offsets = new Float64Array(keys.length + 1);
  for (let i = 0; i < keys.length; i++) {
    offsets[i + 1] = offsets[i] + (heights.get(keys[i]) ?? estimate);
  }
  return offsets;
}

/** The first row whose bottom is below `y` (binary search). */
export function rowAt(offsets: Float64Array, y: number): number {
  const n = offsets.length - 1;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1] <= y) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, Math.max(0, n - 1));
}

export interface Range {
  start: number;
  /** exclusive */
  end: number;
}

export function visibleRange(offsets: Float64Array, scrollTop: number, viewport: number,
  overscan: number): Range {
  const n = offsets.length - 1;
  if (n <= 0) return { start: 0, end: 0 };
  const start = rowAt(offsets, Math.max(0, scrollTop - overscan));
  const last = rowAt(offsets, scrollTop + viewport + overscan);
  return { start, end: Math.min(n, last + 1) };
}

/** Within `slack` pixels of the bottom: new rows keep the view pinned there. */
export function atBottom(scrollTop: number, viewport: number, total: number, slack = 40): boolean {
  return total - (scrollTop + viewport) <= slack;
}
