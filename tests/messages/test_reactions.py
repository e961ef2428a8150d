"""PUT/DELETE /api/messages/{id}/reactions/{emoji}."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import assert_error
from tests.messages.factories import make_emoji


def url(mid: int, emoji: str) -> str:
    return f"/api/messages/{mid}/reactions/{quote(emoji, safe='')}"


class TestAddReaction:
    async def test_reaction_is_grouped_with_usernames(self, world, captured_events):
        m = await world.send(world.alice, "react")
        r = await world.alice.put(url(m["id"], "👍"))
        assert r.status_code == 200
        assert r.json()["reactions"] == [{"emoji": "👍", "count": 1, "users": ["alice"]}]
        r = await world.bob.put(url(m["id"], "👍"))
        assert r.json()["reactions"] == [{"emoji": "👍", "count": 2, "users": ["alice", "bob"]}]
        events = captured_events.named("reaction_added")
        assert [e.data for e in events] == [
            {
                "message_id": m["id"],
                "emoji": "👍",
                "username": "alice",
                "room": world.room,
                "seq": 2,
            },
            {"message_id": m["id"], "emoji": "👍", "username": "bob", "room": world.room, "seq": 3},
        ]
        assert all(e.room == world.room for e in events)

    async def test_emojis_in_order_of_first_reaction(self, world):
        m = await world.send(world.alice, "react")
        await world.bob.put(url(m["id"], "🎉"))
        await world.alice.put(url(m["id"], "👍"))
        r = await world.alice.put(url(m["id"], "🎉"))
        assert r.json()["reactions"] == [
            {"emoji": "🎉", "count": 2, "users": ["bob", "alice"]},
            {"emoji": "👍", "count": 1, "users": ["alice"]},
        ]

    async def test_same_reaction_twice_changes_nothing(self, world, captured_events):
        m = await world.send(world.alice, "react")
        await world.bob.put(url(m["id"], "👍"))
        r = await world.bob.put(url(m["id"], "👍"))
        assert r.status_code == 200
        assert r.json()["reactions"] == [{"emoji": "👍", "count": 1, "users": ["bob"]}]
        assert len(captured_events.named("reaction_added")) == 1

    @pytest.mark.parametrize(
        "emoji",
        ["❤️", "🇷🇺", "1️⃣", "👨‍👩‍👧", "👍🏽", "©️", "‼️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"],
    )
    async def test_unicode_emoji_sequences(self, world, emoji):
        m = await world.send(world.alice, "react")
        r = await world.bob.put(url(m["id"], emoji))
        assert r.status_code == 200, r.text
        assert r.json()["reactions"][0]["emoji"] == emoji

    async def test_custom_emoji_of_the_guild(self, world):
        await make_emoji(world.alice, world.guild_id, "party_parrot")
        m = await world.send(world.alice, "react")
        r = await world.bob.put(url(m["id"], ":party_parrot:"))
        assert r.status_code == 200
        assert r.json()["reactions"][0]["emoji"] == ":party_parrot:"
        # Custom emojis of another guild do not count.
        from tests.factories import make_guild

        other = await make_guild(world.carol, name="other")
        await make_emoji(world.carol, other, "foreign")
        assert_error(await world.bob.put(url(m["id"], ":foreign:")), 400, "INVALID_INPUT", "emoji")

    @pytest.mark.parametrize(
        "emoji",
        [
            "hello",
            "привет",
            "👍 ",
            "👍\t👍",
            "a👍",
            "\u202e👍",
            "\x07",
            "👍" * 65,
            ":nope:",
            ":a:",
            "12",
            "!!",
            "%",
        ],
    )
    async def test_not_an_emoji(self, world, emoji):
        m = await world.send(world.alice, "react")
        r = await world.bob.put(url(m["id"], emoji))
        assert_error(r, 400, "INVALID_INPUT", "emoji")
        history = (await world.bob.get(f"/api/channels/{world.channel_id}/messages")).json()
        assert history["messages"][0]["reactions"] == []

    async def test_access(self, world, anon):
        m = await world.send(world.alice, "react")
        assert_error(await world.carol.put(url(m["id"], "👍")), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await anon().put(url(m["id"], "👍")), 401, "AUTH_REQUIRED")
        assert_error(await world.bob.put(url(424242, "👍")), 404, "MESSAGE_NOT_FOUND")
        assert_error(
            await world.bob.put("/api/messages/abc/reactions/%F0%9F%91%8D"),
            404,
            "MESSAGE_NOT_FOUND",
        )

    async def test_at_most_twenty_different_emojis(self, world):
        m = await world.send(world.alice, "react")
        emojis = [chr(0x1F600 + i) for i in range(21)]
        for e in emojis[:20]:
            assert (await world.bob.put(url(m["id"], e))).status_code == 200
        assert_error(await world.bob.put(url(m["id"], emojis[20])), 400, "LIMIT_REACHED")
        # Joining an existing reaction is still fine.
        assert (await world.alice.put(url(m["id"], emojis[0]))).status_code == 200


class TestRemoveReaction:
    async def test_removes_only_ones_own(self, world, captured_events):
        m = await world.send(world.alice, "react")
        await world.alice.put(url(m["id"], "👍"))
        await world.bob.put(url(m["id"], "👍"))
        r = await world.bob.delete(url(m["id"], "👍"))
        assert r.status_code == 200
        assert r.json()["reactions"] == [{"emoji": "👍", "count": 1, "users": ["alice"]}]
        [event] = captured_events.named("reaction_removed")
        assert event.room == world.room
        assert event.data == {
            "message_id": m["id"],
            "emoji": "👍",
            "username": "bob",
            "room": world.room,
            "seq": 4,
        }
        r = await world.alice.delete(url(m["id"], "👍"))
        assert r.json()["reactions"] == []

    async def test_removing_absent_reaction_is_harmless(self, world, captured_events):
        m = await world.send(world.alice, "react")
        r = await world.bob.delete(url(m["id"], "👍"))
        assert r.status_code == 200 and r.json()["reactions"] == []
        assert captured_events.named("reaction_removed") == []

    async def test_access(self, world, anon):
        m = await world.send(world.alice, "react")
        assert_error(await world.carol.delete(url(m["id"], "👍")), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await anon().delete(url(m["id"], "👍")), 401, "AUTH_REQUIRED")
        assert_error(await world.bob.delete(url(99999, "👍")), 404, "MESSAGE_NOT_FOUND")
        assert_error(await world.bob.delete(url(m["id"], "x" * 65)), 400, "INVALID_INPUT", "emoji")
