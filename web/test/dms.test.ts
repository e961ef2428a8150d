import { describe, expect, it } from "vitest";
import { byActivity, type DmChannel, dmTitle, toEntry } from "../src/dms";
import { channelOfRoom, room } from "../src/realtime";
import { channelPath, parseRoute } from "../src/router";
import { tabTitle } from "../src/unread";

const alice = { id: 1, username: "alice" };
const bob = { id: 2, username: "bob", display_name: "Bobby" };
const carol = { id: 3, username: "carol" };

function dm(over: Partial<DmChannel>): DmChannel {
  return { id: 9, type: "dm", name: null, owner_id: null, recipients: [alice, bob],
    last_message_id: 0, guild_id: null, ...over };
}

describe("direct messages", () => {
  it("routes live under /channels/@me", () => {
    expect(parseRoute("/channels/@me")).toEqual({ name: "channels", guildId: 0 });
    expect(parseRoute("/channels/@me/9")).toEqual({ name: "channels", guildId: 0, channelId: 9 });
    expect(parseRoute("/channels/@me/x")).toEqual({ name: "notfound" });
    expect(channelPath(0, 9)).toBe("/channels/@me/9");
    expect(channelPath(null, 9)).toBe("/channels/@me/9"); // a search hit in a DM
    expect(channelPath(4, 9)).toBe("/channels/4/9");
  });

  it("uses the dm: room", () => {
    expect(room(0, 9)).toBe("dm:9");
    expect(room(4, 9)).toBe("g:4:c:9");
    expect(channelOfRoom("dm:9")).toBe(9);
    expect(channelOfRoom("dm:x")).toBeUndefined();
  });

  it("names a DM after the others, a group by its name", () => {
    expect(dmTitle(dm({}), 1)).toBe("Bobby");
    expect(dmTitle(dm({}), 2)).toBe("alice");
    expect(dmTitle(dm({ type: "group_dm", recipients: [alice, bob, carol] }), 1)).toBe("Bobby, carol");
    expect(dmTitle(dm({ type: "group_dm", name: "Book club" }), 1)).toBe("Book club");
    const entry = toEntry(dm({ name: "Book club", type: "group_dm" }), 1);
    expect(entry).toMatchObject({ guild_id: 0, name: "Book club", group_name: "Book club" });
  });

  it("orders by latest activity, then the newest channel", () => {
    const a = toEntry(dm({ id: 1, last_message_id: 50 }));
    const b = toEntry(dm({ id: 2, last_message_id: 70 }));
    const c = toEntry(dm({ id: 3, last_message_id: 0 }));
    const d = toEntry(dm({ id: 4, last_message_id: 0 }));
    expect([a, c, b, d].sort(byActivity).map((x) => x.id)).toEqual([2, 1, 4, 3]);
  });

  it("puts the DM in the tab title", () => {
    expect(tabTitle("Guildhall", 2, { name: "Bobby", type: "dm" })).toBe("(2) @Bobby · Guildhall");
  });
});
