// What every domain's actions share: failures shown as a toast, and questions about
// the store (the channel on screen, a channel by id, the reader's roles).
import { errorText } from "../errors";
import { getState, toast } from "../store";
import type { Channel } from "../types";

export function showError(e: unknown): void {
  toast(errorText(e));
}

/** Runs an action; failures become a toast instead of an unhandled rejection. */
export async function attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    showError(e);
    return undefined;
  }
}

export function currentChannelId(): number | undefined {
  const r = getState().route;
  return r.name === "channels" ? r.channelId : undefined;
}

export function isViewing(channelId: number): boolean {
  return currentChannelId() === channelId && (typeof document === "undefined"
    || document.visibilityState === "visible");
}

export function findChannel(channelId: number): Channel | undefined {
  for (const list of Object.values(getState().channels)) {
    const c = list.find((x) => x.id === channelId);
    if (c) return c;
  }
  return undefined;
}

/** The reader's roles in a guild (from its member list, once loaded). */
export function myRoleIds(guildId: number | null | undefined): number[] {
  const s = getState();
  if (!guildId || !s.me) return [];
  return s.members[guildId]?.find((x) => x.id === s.me!.id)?.roles ?? [];
}

/** `run` once per key at a time: a caller arriving while it runs gets the same promise
 * (the first screen and sign-in both ask for the same guild, say). */
export function shared<K, T>(run: (key: K) => Promise<T>): (key: K) => Promise<T> {
  const running = new Map<K, Promise<T>>();
  return (key) => {
    let p = running.get(key);
    if (!p) {
      p = run(key).finally(() => running.delete(key));
      running.set(key, p);
    }
    return p;
  };
}

/** Changes made here per key (a channel list, a poll): a read under way while one
 * happened may answer from before it. */
export class Changes<K> {
  private counts = new Map<K, number>();
  bump(key: K): void { this.counts.set(key, this.of(key) + 1); }
  of(key: K): number { return this.counts.get(key) ?? 0; }
}

const FRESH_READ_TRIES = 3;

/** `read`, done again (a few times at most) while `key` changed here during it, so a
 * stale answer never puts back what a change made here replaced. */
export async function freshRead<K, T>(changes: Changes<K>, key: K,
  read: () => Promise<T | undefined>): Promise<T | undefined> {
  let out: T | undefined;
  for (let i = 0; i < FRESH_READ_TRIES; i++) {
    const before = changes.of(key);
    out = await read();
    if (out === undefined || changes.of(key) === before) break;
  }
  return out;
}
