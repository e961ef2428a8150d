"""Direct messages over the socket (contract section 15): recipients' sockets get
a DM's events without joining, once each; ``dm:<id>`` rooms in every client
event; a removed recipient stops receiving at once; outsiders get nothing."""

from __future__ import annotations

from typing import Any

from tests.dms.conftest import befriend, open_dm, send, share_guild
from tests.realtime.conftest import listening


async def dm_world(alice: Any, bob: Any) -> int:
    await befriend(alice, bob)
    return (await open_dm(alice, bob))["id"]


class TestDelivery:
    async def test_recipients_get_events_without_joining_once_each(
        self, rt, server, connect, alice, bob
    ):
        dm = await dm_world(alice, bob)
        room = f"dm:{dm}"
        b1 = await listening(rt, connect, bob.user["token"])
        b2 = await listening(rt, connect, bob.user["token"])
        # b2 also joins: it is then "in both rooms" and must still get each event once.
        ack = await b2.call("join_room", {"room": room})
        assert ack == {"ok": True, "room": room}
        assert (await b2.next("joined_room")) == {"room": room, "seq": 0}  # nothing said yet
        assert await b2.next("messages_history") == []
        m = await send(alice, dm, "hello")
        for probe in (b1, b2):
            got = await probe.next("new_message")
            assert got["id"] == m["id"] and got["guild_id"] is None
        await send(alice, dm, "second")
        await b2.next("new_message")
        await b2.sync()
        assert b2.named("new_message") == []  # "hello" and "second" once each
        # Leaving the DM room is answered, and the events keep coming.
        assert (await b1.call("leave_room", {"room": room}))["ok"] is True
        await send(alice, dm, "third")
        assert (await b1.next("new_message"))["content"] == "second"
        assert (await b1.next("new_message"))["content"] == "third"

    async def test_socket_events_in_a_dm_room(self, rt, server, connect, alice, bob):
        dm = await dm_world(alice, bob)
        room = f"dm:{dm}"
        a = await listening(rt, connect, alice.user["token"])
        b = await listening(rt, connect, bob.user["token"])
        sent = await a.call("send_message", {"room": room, "content": "over the socket"})
        assert sent["ok"] is True and sent["message"]["channel_id"] == dm
        got = await b.next("new_message")
        assert got["content"] == "over the socket"
        mid = got["id"]
        assert (await b.call("typing", {"room": room}))["ok"] is True
        typing = await a.next("user_typing")
        assert typing == {"username": "bob", "user_id": bob.user["id"], "room": room}
        r = await b.call("add_reaction", {"room": room, "message_id": mid, "emoji": "👍"})
        assert r["ok"] is True
        reacted = await a.next("reaction_added")
        # The DM numbers its events like a channel (section 18): the message was 1.
        assert reacted == {
            "message_id": mid,
            "emoji": "👍",
            "username": "bob",
            "room": room,
            "seq": 2,
        }
        r = await b.call("pin_message", {"room": room, "message_id": mid})  # any recipient pins
        assert r["ok"] is True
        assert await a.next("message_pinned") == {"message_id": mid, "room": room, "seq": 3}
        r = await alice.put(f"/api/messages/{mid}", json={"content": "edited"})
        edited = await b.next("message_edited")
        assert edited["room"] == room and edited["content"] == "edited"
        assert (await alice.delete(f"/api/messages/{mid}")).status_code == 200
        deleted = {"id": mid, "room": room, "channel_id": dm, "seq": 5}
        assert await b.next("message_deleted") == deleted
        r = await a.call("ack_message", {"room": room, "message_id": mid})
        assert r["ok"] is True

    async def test_new_dm_reaches_live_sockets(self, rt, server, connect, alice, bob):
        await befriend(alice, bob)
        a = await listening(rt, connect, alice.user["token"])
        b = await listening(rt, connect, bob.user["token"])
        dm = await open_dm(alice, bob)
        for probe in (a, b):
            created = await probe.next("dm_channel_created")
            assert created["id"] == dm["id"] and created["type"] == "dm"
        # Their live sockets entered the room: the first message arrives unasked.
        await send(alice, dm["id"], "first")
        assert (await b.next("new_message"))["content"] == "first"


class TestPrivacy:
    async def test_outsider_sockets_get_nothing_and_are_refused(
        self, rt, server, connect, alice, bob, carol
    ):
        await share_guild(carol, alice, bob)
        dm = await dm_world(alice, bob)
        room = f"dm:{dm}"
        c = await listening(rt, connect, carol.user["token"])
        m = await send(alice, dm, "secret")
        await alice.put(f"/api/messages/{m['id']}/reactions/%F0%9F%91%8D")
        for event, data in [
            ("join_room", {"room": room}),
            ("send_message", {"room": room, "content": "let me in"}),
            ("add_reaction", {"room": room, "message_id": m["id"], "emoji": "👍"}),
            ("pin_message", {"room": room, "message_id": m["id"]}),
            ("ack_message", {"room": room, "message_id": m["id"]}),
            ("typing", {"room": room}),
        ]:
            r = await c.call(event, data)
            assert r["ok"] is False and r["code"] == "NOT_CHANNEL_MEMBER", (event, r)
        await c.sync()
        assert not [n for n in c.names() if n not in ("presence_update", "left_room")], c.events

    async def test_removed_recipient_stops_receiving_at_once(
        self, rt, server, connect, alice, bob, carol
    ):
        await befriend(alice, bob)
        await befriend(alice, carol)
        r = await alice.post(
            "/api/users/@me/channels", json={"recipient_ids": [bob.user["id"], carol.user["id"]]}
        )
        gid = r.json()["id"]
        room = f"dm:{gid}"
        b = await listening(rt, connect, bob.user["token"])
        c = await listening(rt, connect, carol.user["token"])
        await send(alice, gid, "to all")
        assert (await b.next("new_message"))["content"] == "to all"
        assert (await c.next("new_message"))["content"] == "to all"
        r = await alice.delete(f"/api/channels/{gid}/recipients/{bob.user['id']}")
        assert r.status_code == 200
        gone = await b.next("dm_channel_deleted")
        assert gone["id"] == gid
        updated = await c.next("dm_channel_updated")
        assert [u["username"] for u in updated["recipients"]] == ["alice", "carol"]
        await send(alice, gid, "without bob")
        assert (await c.next("new_message"))["content"] == "without bob"
        await b.sync()
        assert b.named("new_message") == [] and b.named("dm_channel_updated") == []
        r = await b.call("typing", {"room": room})
        assert r["ok"] is False and r["code"] == "NOT_CHANNEL_MEMBER"
        r = await b.call("join_room", {"room": room})
        assert r["ok"] is False and r["code"] == "NOT_CHANNEL_MEMBER"
        # A socket opened after the removal is not put in the room either.
        b2 = await listening(rt, connect, bob.user["token"])
        await send(alice, gid, "still without bob")
        await c.next("new_message")
        await b2.sync()
        assert b2.named("new_message") == []
