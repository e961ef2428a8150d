// shared(): one call per key at a time (sign-in and the first screen ask for the same
// guild's channels; issue 17 wants one request).
import { describe, expect, it } from "vitest";
import { Changes, freshRead, shared } from "../src/actions/common";

describe("shared", () => {
  it("gives a caller arriving meanwhile the same promise, and calls again once settled", async () => {
    const calls: number[] = [];
    let release: (v: string) => void = () => {};
    const load = shared((id: number) => {
      calls.push(id);
      return new Promise<string>((r) => { release = r; });
    });
    const a = load(1);
    const b = load(1);
    expect(b).toBe(a);
    expect(calls).toEqual([1]);
    release("one");
    expect(await b).toBe("one");
    void load(1);
    expect(calls).toEqual([1, 1]);
  });

  it("keeps keys apart and forgets a failure", async () => {
    const calls: number[] = [];
    const load = shared(async (id: number) => {
      calls.push(id);
      if (id === 2) throw new Error("no");
      return id;
    });
    expect(await Promise.all([load(1), load(3)])).toEqual([1, 3]);
    await expect(load(2)).rejects.toThrow("no");
    await expect(load(2)).rejects.toThrow("no");
    expect(calls).toEqual([1, 3, 2, 2]);
  });
});

describe("freshRead", () => {
  it("reads again while the key changed during the read, and keeps the last answer", async () => {
    const changes = new Changes<number>();
    let reads = 0;
    const out = await freshRead(changes, 7, async () => {
      reads += 1;
      if (reads === 1) changes.bump(7); // a vote lands while the first read is out
      return `answer ${reads}`;
    });
    expect(reads).toBe(2);
    expect(out).toBe("answer 2");
  });

  it("gives up after a few tries, and a change to another key does not count", async () => {
    const changes = new Changes<number>();
    let reads = 0;
    const out = await freshRead(changes, 1, async () => { reads += 1; changes.bump(1); changes.bump(2); return reads; });
    expect(reads).toBe(3);
    expect(out).toBe(3);
    reads = 0;
    await freshRead(changes, 2, async () => { reads += 1; changes.bump(1); return reads; });
    expect(reads).toBe(1);
  });
});
