import { describe, expect, it } from "vitest";
import { getState, patchChannel, setState, subscribe } from "../src/store";

describe("store", () => {
  it("notifies subscribers and keeps untouched slices identical", () => {
    const before = getState();
    let calls = 0;
    const off = subscribe(() => { calls++; });
    setState({ drawer: true });
    off();
    setState({ drawer: false });
    expect(calls).toBe(1);
    expect(getState().guilds).toBe(before.guilds);
  });

  it("patches one channel's window without touching the others", () => {
    patchChannel(1, () => ({ loaded: true }));
    const other = getState().messages[1];
    patchChannel(2, () => ({ hasMoreBefore: false }));
    expect(getState().messages[1]).toBe(other);
    expect(getState().messages[2].hasMoreBefore).toBe(false);
    expect(getState().messages[2].loaded).toBe(false);
  });
});
