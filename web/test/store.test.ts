import { describe, expect, it } from "vitest";
import { emptyChannel, getState, patchChannel, patchWindow, setState, subscribe } from "../src/store";

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

  it("drops a page that answers a window replaced while it was loading", () => {
    patchChannel(3, () => ({ loaded: true }));
    const old = getState().messages[3].window;
    // Jump to present: a fresh window replaces the one the request was made for.
    setState((s) => ({ messages: { ...s.messages, [3]: emptyChannel() } }));
    patchWindow(3, old, () => ({ loaded: true, hasMoreAfter: true }));
    expect(getState().messages[3].loaded).toBe(false);
    expect(getState().messages[3].hasMoreAfter).toBe(false);
    patchWindow(3, getState().messages[3].window, () => ({ loaded: true }));
    expect(getState().messages[3].loaded).toBe(true);
  });
});
