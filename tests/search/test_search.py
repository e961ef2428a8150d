"""GET /api/search/messages: words in any script, prefix, newest first, membership."""

from __future__ import annotations

import pytest

from guildhall.search.engines import words
from tests.conftest import assert_error
from tests.factories import add_member, make_guild
from tests.messages.factories import make_channel

URL = "/api/search/messages"


async def search(client, q: str, **params):
    r = await client.get(URL, params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()


class TestSearchMatching:
    async def test_result_shape(self, world):
        m = await world.send(world.bob, "Hello, world!")
        [hit] = await search(world.alice, "hello")
        assert hit == {
            "id": m["id"],
            "content": "Hello, world!",
            "username": "bob",
            "display_name": None,
            "channel_name": "general",
            "timestamp": m["timestamp"],
            "channel_id": world.channel_id,
            "guild_id": world.guild_id,
            "highlights": ["Hello"],
        }

    async def test_case_insensitive_in_cyrillic(self, world):
        m = await world.send(world.alice, "Привет мир")
        assert [h["id"] for h in await search(world.alice, "привет")] == [m["id"]]
        assert [h["id"] for h in await search(world.alice, "МИР")] == [m["id"]]
        assert [h["id"] for h in await search(world.alice, "прив")] == [m["id"]]

    async def test_case_insensitive_latin_and_greek(self, world):
        m = await world.send(world.alice, "HELLO Καλημέρα")
        assert [h["id"] for h in await search(world.alice, "hello")] == [m["id"]]
        assert [h["id"] for h in await search(world.alice, "ΚΑΛΗΜΈΡΑ")] == [m["id"]]

    async def test_prefix_on_the_last_word_only(self, world):
        m = await world.send(world.alice, "hello there general")
        assert [h["id"] for h in await search(world.alice, "hel")] == [m["id"]]
        assert [h["id"] for h in await search(world.alice, "there gen")] == [m["id"]]
        assert await search(world.alice, "hel there") == []

    async def test_all_words_must_match(self, world):
        a = await world.send(world.alice, "red apple")
        await world.send(world.alice, "green apple")
        assert [h["id"] for h in await search(world.alice, "apple red")] == [a["id"]]

    async def test_whole_words_not_substrings(self, world):
        await world.send(world.alice, "unhelpful")
        assert await search(world.alice, "help") == []

    async def test_newest_first_and_limit(self, world):
        ids = [(await world.send(world.alice, f"note {i}"))["id"] for i in range(5)]
        assert [h["id"] for h in await search(world.alice, "note")] == ids[::-1]
        assert [h["id"] for h in await search(world.alice, "note", limit=2)] == ids[::-1][:2]

    async def test_edits_and_deletes_are_seen(self, world):
        m = await world.send(world.alice, "before edit")
        await world.alice.put(f"/api/messages/{m['id']}", json={"content": "after change"})
        assert await search(world.alice, "before") == []
        assert [h["id"] for h in await search(world.alice, "change")] == [m["id"]]
        await world.alice.delete(f"/api/messages/{m['id']}")
        assert await search(world.alice, "change") == []

    @pytest.mark.parametrize(
        "q",
        [
            'hello"',
            '"hello',
            "hello OR world",
            "NEAR(hello world)",
            "hello*",
            "-hello",
            "hello:*",
            "hello & world | x",
            "content:hello",
            "'hello'",
            "hello\\",
            "^hello",
            "(hello",
            "hello AND",
        ],
    )
    async def test_query_syntax_from_the_user_is_just_text(self, world, q):
        await world.send(world.alice, "hello world")
        r = await world.alice.get(URL, params={"q": q})
        assert r.status_code == 200, r.text
        assert isinstance(r.json(), list)

    async def test_operators_are_words(self, world):
        await world.send(world.alice, "apples and pears")
        m = await world.send(world.alice, "cats OR dogs")
        assert [h["id"] for h in await search(world.alice, "cats OR dogs")] == [m["id"]]

    async def test_symbols_do_not_break_the_query(self, world):
        m = await world.send(world.alice, "party time 🎉")
        r = await world.alice.get(URL, params={"q": "🎉 party"})
        assert r.status_code == 200
        r = await world.alice.get(URL, params={"q": "tim"})
        assert [h["id"] for h in r.json()] == [m["id"]]

    @pytest.mark.parametrize("q", ["!!!", "...", "?", "\"'", "*"])
    async def test_only_punctuation_finds_nothing(self, world, q):
        await world.send(world.alice, "hello")
        assert await search(world.alice, q) == []


class TestSearchScope:
    async def test_foreign_guilds_are_invisible(self, world):
        theirs = await make_guild(world.carol, name="carol's")
        cid = await make_channel(world.carol, theirs, "secret")
        r = await world.carol.post(f"/api/channels/{cid}/messages", json={"content": "secret plan"})
        assert r.status_code == 201
        await world.send(world.alice, "public plan")
        assert [h["content"] for h in await search(world.alice, "plan")] == ["public plan"]
        assert [h["content"] for h in await search(world.carol, "plan")] == ["secret plan"]
        assert await search(world.alice, "secret") == []

    async def test_channel_filter(self, world):
        other = await make_channel(world.alice, world.guild_id, "other")
        await world.alice.post(f"/api/channels/{other}/messages", json={"content": "topic here"})
        m = await world.send(world.alice, "topic there")
        hits = await search(world.bob, "topic", channel_id=world.channel_id)
        assert [h["id"] for h in hits] == [m["id"]]
        assert len(await search(world.bob, "topic")) == 2

    async def test_foreign_channel_is_403(self, world):
        theirs = await make_guild(world.carol, name="carol's")
        cid = await make_channel(world.carol, theirs, "secret")
        r = await world.alice.get(URL, params={"q": "x", "channel_id": cid})
        assert_error(r, 403, "NOT_CHANNEL_MEMBER")

    async def test_joining_a_guild_makes_it_searchable(self, world):
        await world.send(world.alice, "welcome aboard")
        assert await search(world.carol, "welcome") == []
        await add_member(world.alice, world.guild_id, world.carol)
        assert len(await search(world.carol, "welcome")) == 1

    async def test_anonymous(self, world, anon):
        assert_error(await anon().get(URL, params={"q": "x"}), 401, "AUTH_REQUIRED")


class TestSearchInput:
    @pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 201}])
    async def test_bad_q(self, world, params):
        assert_error(await world.alice.get(URL, params=params), 400, "INVALID_INPUT", "q")

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"q": "x", "limit": "abc"}, "limit"),
            ({"q": "x", "limit": "2.5"}, "limit"),
            ({"q": "x", "channel_id": "abc"}, "channel_id"),
            ({"q": "x", "channel_id": "-1"}, "channel_id"),
            ({"q": "x", "channel_id": "9" * 40}, "channel_id"),
        ],
    )
    async def test_bad_numbers(self, world, params, field):
        assert_error(await world.alice.get(URL, params=params), 400, "INVALID_INPUT", field)

    async def test_unknown_channel(self, world):
        r = await world.alice.get(URL, params={"q": "x", "channel_id": 987654})
        assert_error(r, 404, "CHANNEL_NOT_FOUND")

    async def test_limit_is_clamped(self, world):
        """More hits than the cap (100), so the clamp and the default (20) show."""
        await world.send_many(world.alice, 101)
        assert len(await search(world.alice, "item", limit=0)) == 1
        assert len(await search(world.alice, "item", limit=1000)) == 100
        assert len(await search(world.alice, "item")) == 20


class TestWords:
    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("hello world", ["hello", "world"]),
            ('"hello" OR wor*', ["hello", "OR", "wor"]),
            ("Привет, мир!", ["Привет", "мир"]),
            ("foo_bar", ["foo", "bar"]),
            ("it's", ["it", "s"]),
            ("a\\b'c\"d", ["a", "b", "c", "d"]),
            ("…!?", []),
        ],
    )
    def test_split(self, q, expected):
        assert words(q) == expected
