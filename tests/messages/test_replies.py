"""Replies (contract section 16): ``reply_to`` on REST and socket sends, and the
``reply_to`` object every message carries."""

from __future__ import annotations

from sqlalchemy import update

from guildhall.models import Message
from tests.conftest import MESSAGE_KEYS, assert_error
from tests.factories import joined
from tests.messages.factories import make_channel
from tests.messages.test_serialize import count_queries


def history_url(world) -> str:
    return f"/api/channels/{world.channel_id}/messages"


def quoted(message, author, content: str) -> dict:
    """What a reply carries (``reply_to``) of ``message``, by ``author``, saying ``content``."""
    return {
        "id": message["id"],
        "author_id": author.user["id"],
        "username": author.user["username"],
        "content": content,
    }


class TestReplyOverRest:
    async def test_a_reply_carries_the_original(self, world):
        original = await world.send(world.bob, "the question")
        reply = await world.send(world.alice, "the answer", reply_to=original["id"])
        assert set(reply) >= MESSAGE_KEYS
        assert reply["reply_to"] == quoted(original, world.bob, "the question")
        assert original["reply_to"] is None

    async def test_the_original_content_is_cut_to_100_characters(self, world):
        original = await world.send(world.bob, "x" * 99 + "yz" + "w" * 50)
        reply = await world.send(world.alice, "ok", reply_to=original["id"])
        assert reply["reply_to"]["content"] == "x" * 99 + "y"

    async def test_history_and_pins_carry_reply_to(self, world):
        original = await world.send(world.bob, "first")
        reply = await world.send(world.alice, "second", reply_to=original["id"])
        assert (await world.alice.post(f"/api/messages/{reply['id']}/pin")).status_code == 200
        page = (await world.bob.get(history_url(world))).json()["messages"]
        by_id = {m["id"]: m for m in page}
        assert by_id[reply["id"]]["reply_to"]["id"] == original["id"]
        assert by_id[reply["id"]]["reply_to"]["username"] == "bob"
        assert by_id[original["id"]]["reply_to"] is None
        window = (await world.bob.get(history_url(world) + f"?after={original['id']}")).json()
        assert window["messages"][0]["reply_to"]["content"] == "first"
        pins = (await world.bob.get(f"/api/channels/{world.channel_id}/pins")).json()
        assert pins[0]["reply_to"]["id"] == original["id"]

    async def test_a_deleted_original_shows_as_deleted(self, world):
        original = await world.send(world.bob, "soon gone")
        reply = await world.send(world.alice, "answer", reply_to=original["id"])
        assert (await world.bob.delete(f"/api/messages/{original['id']}")).status_code == 200
        page = (await world.alice.get(history_url(world))).json()["messages"]
        (kept,) = [m for m in page if m["id"] == reply["id"]]
        assert kept["reply_to"] == {"id": original["id"], "deleted": True}

    async def test_a_message_of_another_channel_is_invalid(self, world):
        other = await make_channel(world.alice, world.guild_id, "other")
        r = await world.alice.post(f"/api/channels/{other}/messages", json={"content": "there"})
        elsewhere = r.json()["id"]
        r = await world.alice.post(
            history_url(world), json={"content": "reply", "reply_to": elsewhere}
        )
        assert_error(r, 400, "INVALID_INPUT", "reply_to")

    async def test_an_unknown_or_malformed_id_is_invalid(self, world):
        for bad in (987654321, 0, -1, "12", True, 2**63, [1]):
            r = await world.alice.post(history_url(world), json={"content": "x", "reply_to": bad})
            assert r.status_code == 400, (bad, r.text)
            assert r.json()["code"] == "INVALID_INPUT", (bad, r.text)
        page = (await world.alice.get(history_url(world))).json()["messages"]
        assert page == []

    async def test_a_null_reply_to_is_no_reply(self, world):
        m = await world.send(world.alice, "plain", reply_to=None)
        assert m["reply_to"] is None

    async def test_a_page_of_replies_costs_one_query_for_all_originals(self, world):
        async def page_queries() -> int:
            with count_queries(world.rt) as seen:
                r = await world.alice.get(history_url(world) + "?limit=100")
            assert r.status_code == 200
            return len(seen)

        first = await world.send(world.bob, "root")
        await world.send(world.alice, "r", reply_to=first["id"])
        small = await page_queries()
        for i in range(15):
            target = await world.send(world.bob, f"q{i}")
            await world.send(world.alice, f"a{i}", reply_to=target["id"])
        assert await page_queries() == small


class TestReplyOverSocket:
    async def test_send_message_with_reply_to(self, world, connect):
        original = await world.send(world.bob, "over REST")
        probe = await joined(world.rt, connect, world.alice.user["token"], world.room)
        answer = await probe.call(
            "send_message",
            {"room": world.room, "content": "over socket", "reply_to": original["id"]},
        )
        assert answer["ok"] is True, answer
        assert answer["message"]["reply_to"]["id"] == original["id"]
        event = await probe.next("new_message")
        assert set(event) >= MESSAGE_KEYS
        assert event["reply_to"] == quoted(original, world.bob, "over REST")
        assert event["mentions"] == [world.bob.user["id"]]

    async def test_joined_room_history_carries_reply_to(self, world, connect):
        original = await world.send(world.bob, "hi")
        await world.send(world.alice, "hello", reply_to=original["id"])
        probe = await connect(token=world.alice.user["token"])
        assert (await probe.call("join_room", {"room": world.room}))["ok"] is True
        history = await probe.next("messages_history")
        assert [m["reply_to"] for m in history] == [
            None,
            {
                "id": original["id"],
                "author_id": world.bob.user["id"],
                "username": "bob",
                "content": "hi",
            },
        ]

    async def test_another_channels_message_is_refused(self, world, connect):
        other = await make_channel(world.alice, world.guild_id, "other")
        r = await world.alice.post(f"/api/channels/{other}/messages", json={"content": "there"})
        probe = await joined(world.rt, connect, world.alice.user["token"], world.room)
        answer = await probe.call(
            "send_message", {"room": world.room, "content": "x", "reply_to": r.json()["id"]}
        )
        assert answer["ok"] is False and answer["code"] == "INVALID_INPUT", answer
        answer = await probe.call(
            "send_message", {"room": world.room, "content": "x", "reply_to": "1"}
        )
        assert answer["ok"] is False and answer["code"] == "INVALID_INPUT", answer
        await probe.sync()
        assert probe.named("new_message") == []


class TestReplyIdOnTheRow:
    async def test_the_reference_survives_the_original(self, world):
        original = await world.send(world.bob, "x")
        reply = await world.send(world.alice, "y", reply_to=original["id"])
        await world.bob.delete(f"/api/messages/{original['id']}")
        async with world.rt.transaction(write=False) as tx:
            row = await tx.session.get(Message, reply["id"])
            assert row.reply_to_id == original["id"]

    async def test_a_reference_updated_to_nothing_is_no_reply(self, world):
        original = await world.send(world.bob, "x")
        reply = await world.send(world.alice, "y", reply_to=original["id"])
        async with world.rt.transaction() as tx:
            await tx.session.execute(
                update(Message).where(Message.id == reply["id"]).values(reply_to_id=None)
            )
        page = (await world.alice.get(history_url(world))).json()["messages"]
        assert all(m["reply_to"] is None for m in page)
