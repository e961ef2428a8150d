// Lossless reconnect (contract section 18): the last `seq` seen per channel. A
// numbered event at or below it is one we already applied (a replay overlapping the
// live stream) and is skipped; after a reconnect `resume` asks for what follows it.

export type ResumeAnswer = { status: "resumed" | "resync_required" | "error"; seq?: number; code?: string };

export class SeqTracker {
  private last = new Map<number, number>();

  /** True when `seq` is new for the channel (and remembered); false for one already seen. */
  take(channelId: number, seq: unknown): boolean {
    if (typeof seq !== "number") return true; // not a numbered event: always applied
    const prev = this.last.get(channelId);
    if (prev !== undefined && seq <= prev) return false;
    this.last.set(channelId, seq);
    return true;
  }

  /** The channel's current number as the server told it (`joined_room`, `resumed`, ...). */
  set(channelId: number, seq: unknown): void {
    if (typeof seq === "number") this.last.set(channelId, Math.max(seq, this.last.get(channelId) ?? 0));
  }

  /** Forget a channel: its next join starts from what the server says. */
  drop(channelId: number): void {
    this.last.delete(channelId);
  }

  /** `{room: last seq}` for the channels we know a number of. */
  rooms(roomOf: (channelId: number) => string | undefined): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [cid, seq] of this.last) {
      const r = roomOf(cid);
      if (r) out[r] = seq;
    }
    return out;
  }

  clear(): void {
    this.last.clear();
  }
}
