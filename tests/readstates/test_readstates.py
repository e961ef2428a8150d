"""Read states (contract section 16): acks, unread and mention counts, the join
baseline, and ``read_state_updated`` to the caller's other sockets."""

from __future__ import annotations

from typing import Any

from guildhall.models import Message
from tests.conftest import assert_error
from tests.factories import add_member, joined, make_guild
from tests.messages.factories import make_channel
from tests.realtime.conftest import listening

ENTRY_KEYS = {
    "channel_id",
    "guild_id",
    "last_read_id",
    "last_message_id",
    "unread_count",
    "mention_count",
}


async def states(client: Any) -> dict[int, dict[str, Any]]:
    r = await client.get("/api/users/@me/read-states")
    assert r.status_code == 200, r.text
    body = r.json()
    assert all(set(e) == ENTRY_KEYS for e in body), body
    return {e["channel_id"]: e for e in body}


async def state(client: Any, channel_id: int) -> dict[str, Any]:
    return (await states(client))[channel_id]


async def ack(client: Any, channel_id: int, message_id: Any) -> Any:
    return await client.post(f"/api/channels/{channel_id}/ack", json={"message_id": message_id})


async def bulk_messages(rt: Any, channel_id: int, guild_id: int, author_id: int, n: int) -> None:
    async with rt.transaction() as tx:
        tx.session.add_all(
            Message(channel_id=channel_id, guild_id=guild_id, author_id=author_id, content=f"m{i}")
            for i in range(n)
        )


class TestUnread:
    async def test_others_messages_are_unread_own_are_not(self, world):
        await world.send(world.alice, "a1")
        await world.send(world.alice, "a2")
        last = await world.send(world.bob, "b1")
        bob = await state(world.bob, world.channel_id)
        # Sending acked bob's channel up to his message.
        assert bob == {
            "channel_id": world.channel_id,
            "guild_id": world.guild_id,
            "last_read_id": last["id"],
            "last_message_id": last["id"],
            "unread_count": 0,
            "mention_count": 0,
        }
        alice = await state(world.alice, world.channel_id)
        assert alice["unread_count"] == 1
        assert alice["last_message_id"] == last["id"]

    async def test_the_unread_count_stops_at_1000(self, world):
        await world.send(world.alice, "read")
        await bulk_messages(world.rt, world.channel_id, world.guild_id, world.bob.user["id"], 1003)
        alice = await state(world.alice, world.channel_id)
        assert alice["unread_count"] == 1000

    async def test_delete_and_edit_of_unread_messages(self, world):
        a = world.alice.user["id"]
        await world.send(world.alice, "start")
        m1 = await world.send(world.bob, f"<@{a}> one")
        await world.send(world.bob, "two")
        assert (await state(world.alice, world.channel_id))["unread_count"] == 2
        assert (await state(world.alice, world.channel_id))["mention_count"] == 1
        r = await world.bob.put(f"/api/messages/{m1['id']}", json={"content": "no mention"})
        assert r.status_code == 200
        after_edit = await state(world.alice, world.channel_id)
        assert (after_edit["unread_count"], after_edit["mention_count"]) == (2, 0)
        assert (await world.bob.delete(f"/api/messages/{m1['id']}")).status_code == 200
        after_delete = await state(world.alice, world.channel_id)
        assert (after_delete["unread_count"], after_delete["mention_count"]) == (1, 0)

    async def test_deleting_the_newest_message_moves_last_message_id_back(self, world):
        m1 = await world.send(world.alice, "one")
        m2 = await world.send(world.bob, "two")
        assert (await state(world.alice, world.channel_id))["last_message_id"] == m2["id"]
        await world.bob.delete(f"/api/messages/{m2['id']}")
        alice = await state(world.alice, world.channel_id)
        assert (alice["last_message_id"], alice["unread_count"]) == (m1["id"], 0)


class TestMentionCount:
    async def test_user_everyone_and_reply_mentions(self, world):
        b = world.bob.user["id"]
        mine = await world.send(world.bob, "bob's own")
        await world.send(world.alice, f"hey <@{b}>")
        await world.send(world.alice, "@everyone meeting")
        await world.send(world.alice, "answer", reply_to=mine["id"])
        # One message that is several mentions counts once.
        await world.send(world.alice, f"<@{b}> @everyone", reply_to=mine["id"])
        await world.send(world.alice, "no mention")
        bob = await state(world.bob, world.channel_id)
        assert (bob["unread_count"], bob["mention_count"]) == (5, 4)

    async def test_a_member_s_everyone_does_not_count(self, world):
        await world.send(world.alice, "read")
        await world.send(world.bob, "@everyone hi")
        alice = await state(world.alice, world.channel_id)
        assert (alice["unread_count"], alice["mention_count"]) == (1, 0)

    async def test_role_mentions_count_for_holders(self, world):
        """Real roles: bob holds ``held``, not ``other``; both are mentioned once."""
        url = f"/api/guilds/{world.guild_id}/roles"
        held = (await world.alice.post(url, json={"name": "held", "mentionable": True})).json()
        other = (await world.alice.post(url, json={"name": "other", "mentionable": True})).json()
        given = await world.alice.put(
            f"/api/guilds/{world.guild_id}/members/{world.bob.user['id']}/roles/{held['id']}"
        )
        assert given.status_code == 200, given.text
        await world.send(world.bob, "read")
        await world.send(world.alice, f"<@&{held['id']}> and <@&{other['id']}>")
        await world.send(world.alice, f"<@&{other['id']}>")
        bob = await state(world.bob, world.channel_id)
        assert (bob["unread_count"], bob["mention_count"]) == (2, 1)

    async def test_ack_answers_the_mentions_still_unread_after_it(self, world):
        b = world.bob.user["id"]
        await world.send(world.bob, "start")
        m1 = await world.send(world.alice, f"<@{b}> one")
        await world.send(world.alice, f"<@{b}> two")
        r = await ack(world.bob, world.channel_id, m1["id"])
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["channel_id"] == world.channel_id
        assert (body["last_read_id"], body["mention_count"], body["unread_count"]) == (
            m1["id"],
            1,
            1,
        )


class TestAck:
    async def test_ack_never_moves_backwards(self, world):
        m1 = await world.send(world.alice, "one")
        m2 = await world.send(world.alice, "two")
        assert (await ack(world.bob, world.channel_id, m2["id"])).json()["last_read_id"] == m2["id"]
        r = await ack(world.bob, world.channel_id, m1["id"])
        assert r.status_code == 200 and r.json()["last_read_id"] == m2["id"]
        r = await ack(world.bob, world.channel_id, 0)
        assert r.json()["last_read_id"] == m2["id"]
        assert (await state(world.bob, world.channel_id))["last_read_id"] == m2["id"]

    async def test_an_id_past_the_newest_message_reads_as_the_newest(self, world):
        m = await world.send(world.alice, "one")
        r = await ack(world.bob, world.channel_id, m["id"] + 1000)
        assert r.json()["last_read_id"] == m["id"]
        m2 = await world.send(world.alice, "two")
        assert (await state(world.bob, world.channel_id))["unread_count"] == 1
        assert m2["id"] > m["id"]

    async def test_bad_bodies(self, world):
        url = f"/api/channels/{world.channel_id}/ack"
        assert_error(
            await world.bob.post(url, json={}), 400, "MISSING_REQUIRED_FIELD", "message_id"
        )
        for bad in ("1", -1, True, 1.5, None, 2**63):
            r = await world.bob.post(url, json={"message_id": bad})
            assert r.status_code == 400, (bad, r.text)
            assert r.json()["code"] in ("INVALID_INPUT", "MISSING_REQUIRED_FIELD"), bad

    async def test_who_may_ack(self, world):
        m = await world.send(world.alice, "one")
        assert_error(await ack(world.carol, world.channel_id, m["id"]), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await ack(world.bob, 99999999, m["id"]), 404, "CHANNEL_NOT_FOUND")
        assert_error(await ack(world.bob, "abc", m["id"]), 404, "CHANNEL_NOT_FOUND")


class TestBaseline:
    async def test_joining_a_busy_guild_shows_nothing_unread(self, world):
        await world.send(world.alice, "old one")
        last = await world.send(world.bob, "old two")
        await add_member(world.alice, world.guild_id, world.carol)
        carol = await state(world.carol, world.channel_id)
        assert carol["last_read_id"] == last["id"]
        assert (carol["unread_count"], carol["mention_count"]) == (0, 0)
        new = await world.send(world.bob, "new")
        carol = await state(world.carol, world.channel_id)
        assert (carol["last_read_id"], carol["unread_count"]) == (last["id"], 1)
        assert carol["last_message_id"] == new["id"]

    async def test_a_channel_created_after_joining_starts_at_zero(self, world):
        await world.send(world.alice, "before")
        await add_member(world.alice, world.guild_id, world.carol)
        later = await make_channel(world.alice, world.guild_id, "later")
        carol = await state(world.carol, later)
        assert (carol["last_read_id"], carol["last_message_id"], carol["unread_count"]) == (0, 0, 0)
        r = await world.alice.post(f"/api/channels/{later}/messages", json={"content": "x"})
        carol = await state(world.carol, later)
        assert (carol["last_read_id"], carol["unread_count"]) == (0, 1)
        assert carol["last_message_id"] == r.json()["id"]


class TestList:
    async def test_every_visible_channel_and_nothing_else(self, world):
        other = await make_guild(world.carol, name="carol's")
        hidden = await make_channel(world.carol, other, "hidden")
        second = await make_channel(world.alice, world.guild_id, "second")
        bob = await states(world.bob)
        assert set(bob) == {world.channel_id, second}
        assert hidden in await states(world.carol)
        assert await states(world.carol) == {hidden: (await states(world.carol))[hidden]}


class TestReadStateEvents:
    async def test_a_rest_ack_reaches_every_socket_of_the_user_only(self, world, connect):
        m = await world.send(world.alice, "one")
        first = await listening(world.rt, connect, world.bob.user["token"])
        second = await listening(world.rt, connect, world.bob.user["token"])
        alice = await listening(world.rt, connect, world.alice.user["token"])
        r = await ack(world.bob, world.channel_id, m["id"])
        for probe in (first, second):
            assert await probe.next("read_state_updated") == r.json()
        await alice.sync()
        assert alice.named("read_state_updated") == []

    async def test_a_socket_ack_skips_the_socket_that_acked(self, world, connect):
        m = await world.send(world.alice, "one")
        acking = await listening(world.rt, connect, world.bob.user["token"])
        other = await listening(world.rt, connect, world.bob.user["token"])
        answer = await acking.call("ack_message", {"room": world.room, "message_id": m["id"]})
        assert answer["ok"] is True, answer
        entry = answer["read_state"]
        assert set(entry) == ENTRY_KEYS and entry["last_read_id"] == m["id"]
        assert await other.next("read_state_updated") == entry
        await acking.sync()
        assert acking.named("read_state_updated") == []
        assert (await state(world.bob, world.channel_id))["last_read_id"] == m["id"]

    async def test_a_socket_ack_outside_ones_guilds_is_refused(self, world, connect):
        m = await world.send(world.alice, "one")
        probe = await listening(world.rt, connect, world.carol.user["token"])
        answer = await probe.call("ack_message", {"room": world.room, "message_id": m["id"]})
        assert answer["ok"] is False and answer["code"] == "NOT_CHANNEL_MEMBER", answer
        answer = await probe.call("ack_message", {"room": world.room, "message_id": "x"})
        assert answer["ok"] is False and answer["code"] == "INVALID_INPUT", answer

    async def test_sending_over_a_socket_acks_for_the_other_sockets(self, world, connect):
        await world.send(world.alice, "one")
        sender = await joined(world.rt, connect, world.bob.user["token"], world.room)
        other = await listening(world.rt, connect, world.bob.user["token"])
        answer = await sender.call("send_message", {"room": world.room, "content": "mine"})
        assert answer["ok"] is True, answer
        mid = answer["message"]["id"]
        entry = await other.next("read_state_updated")
        assert (entry["last_read_id"], entry["unread_count"], entry["channel_id"]) == (
            mid,
            0,
            world.channel_id,
        )
        await sender.sync()
        assert sender.named("read_state_updated") == []
        assert (await state(world.bob, world.channel_id))["last_read_id"] == mid

    async def test_sending_over_rest_reaches_the_senders_sockets(self, world, connect):
        probe = await listening(world.rt, connect, world.bob.user["token"])
        m = await world.send(world.bob, "hi")
        entry = await probe.next("read_state_updated")
        assert entry["last_read_id"] == m["id"] and entry["guild_id"] == world.guild_id
