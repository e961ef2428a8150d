"""GET /api/search/messages filters (contract section 17), through the real app."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from sqlalchemy import update

from guildhall.models import Message
from guildhall.permissions.bits import Permission
from guildhall.search import engines, service
from tests.conftest import assert_error
from tests.factories import add_member, make_guild
from tests.messages.factories import make_channel, make_upload

URL = "/api/search/messages"


async def ids(client: Any, **params: Any) -> list[int]:
    r = await client.get(URL, params=params)
    assert r.status_code == 200, r.text
    return [hit["id"] for hit in r.json()]


async def post(client: Any, channel_id: int, content: str, **extra: Any) -> dict[str, Any]:
    r = await client.post(
        f"/api/channels/{channel_id}/messages", json={"content": content, **extra}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def set_time(rt: Any, message_id: int, when: str) -> None:
    """Back-date a message (the API stamps ``now``)."""
    at = datetime.fromisoformat(when.replace("Z", "+00:00")).astimezone(UTC)
    async with rt.transaction() as tx:
        await tx.session.execute(
            update(Message).where(Message.id == message_id).values(created_at=at)
        )


class TestEachFilter:
    async def test_guild_id(self, world):
        other = await make_guild(world.alice, name="second")
        elsewhere = await make_channel(world.alice, other, "elsewhere")
        here = await world.send(world.alice, "note one")
        there = await post(world.alice, elsewhere, "note two")
        assert await ids(world.alice, guild_id=world.guild_id) == [here["id"]]
        assert await ids(world.alice, guild_id=other) == [there["id"]]
        assert await ids(world.alice, q="note") == [there["id"], here["id"]]

    async def test_channel_id_without_words(self, world):
        other = await make_channel(world.alice, world.guild_id, "other")
        a = await world.send(world.alice, "first")
        await post(world.alice, other, "second")
        assert await ids(world.bob, channel_id=world.channel_id) == [a["id"]]

    async def test_author_id(self, world):
        mine = await world.send(world.alice, "from alice")
        theirs = await world.send(world.bob, "from bob")
        assert await ids(world.alice, author_id=world.bob.user["id"]) == [theirs["id"]]
        assert await ids(world.alice, author_id=world.alice.user["id"]) == [mine["id"]]
        assert await ids(world.alice, author_id=world.carol.user["id"]) == []

    async def test_has_file_image_link_poll(self, world):
        text_file = await make_upload(world.alice, "notes.txt")
        image = await make_upload(world.alice, "image.png")
        with_file = await world.send(world.alice, "report", files=[text_file["path"]])
        with_image = await world.send(world.alice, "photo", files=[image["path"]])
        link = await world.send(world.alice, "see HTTPS://Example.com/page")
        plain_link = await world.send(world.alice, "or http://example.org")
        await world.send(world.alice, "not a link: https:/ nor example.com nor ftp://x")
        with_poll = await world.send(world.alice, "vote")
        r = await world.alice.post(
            f"/api/messages/{with_poll['id']}/poll", json={"question": "?", "options": ["a", "b"]}
        )
        assert r.status_code == 201, r.text

        assert await ids(world.bob, has="file") == [with_image["id"], with_file["id"]]
        assert await ids(world.bob, has="image") == [with_image["id"]]
        assert await ids(world.bob, has="link") == [plain_link["id"], link["id"]]
        assert await ids(world.bob, has="poll") == [with_poll["id"]]

    async def test_has_is_repeatable_and_all_must_hold(self, world):
        upload = await make_upload(world.alice, "notes.txt")
        both = await world.send(world.alice, "https://a.example", files=[upload["path"]])
        await world.send(world.alice, "https://b.example")
        r = await world.alice.get(URL, params=[("has", "file"), ("has", "link")])
        assert [h["id"] for h in r.json()] == [both["id"]]

    async def test_mentions(self, world):
        bob_id = world.bob.user["id"]
        m = await world.send(world.alice, f"ping <@{bob_id}> please")
        await world.send(world.alice, f"not <@{bob_id}0> nor @bob")
        assert await ids(world.alice, mentions=bob_id) == [m["id"]]
        assert await ids(world.alice, mentions=bob_id, q="please") == [m["id"]]
        # A reply mentions the replied-to author without writing <@id> (section 16).
        asked = await world.send(world.bob, "anyone?")
        reply = await world.send(world.alice, "me", reply_to=asked["id"])
        assert await ids(world.alice, mentions=bob_id) == [reply["id"], m["id"]]

    async def test_pinned(self, world):
        pinned = await world.send(world.alice, "keep this")
        loose = await world.send(world.alice, "keep that")
        r = await world.alice.post(f"/api/messages/{pinned['id']}/pin")
        assert r.status_code == 200, r.text
        assert await ids(world.bob, pinned="true") == [pinned["id"]]
        assert await ids(world.bob, pinned="false", q="keep") == [loose["id"]]

    async def test_dates_and_times(self, world):
        jan = await world.send(world.alice, "event")
        feb = await world.send(world.alice, "event")
        mar = await world.send(world.alice, "event")
        await set_time(world.rt, jan["id"], "2024-01-15T12:00:00Z")
        await set_time(world.rt, feb["id"], "2024-02-01T00:00:00Z")
        await set_time(world.rt, mar["id"], "2024-03-10T08:30:00Z")
        # A date before: before its start. A date after: after its end.
        assert await ids(world.alice, q="event", before="2024-02-01") == [jan["id"]]
        assert await ids(world.alice, q="event", before="2024-02-02") == [feb["id"], jan["id"]]
        assert await ids(world.alice, q="event", after="2024-02-01") == [mar["id"]]
        assert await ids(world.alice, q="event", after="2024-01-31") == [mar["id"], feb["id"]]
        # Times are exact and strict, in any offset.
        assert await ids(world.alice, before="2024-02-01T00:00:00Z") == [jan["id"]]
        assert await ids(world.alice, before="2024-02-01T00:00:00.001Z") == [feb["id"], jan["id"]]
        assert await ids(world.alice, after="2024-02-01T00:00:00Z") == [mar["id"]]
        assert await ids(world.alice, after="2024-03-10T10:29:59+02:00") == [mar["id"]]
        assert await ids(world.alice, after="2024-03-10T10:30:00+02:00") == []
        window = {"after": "2024-01-20", "before": "2024-03-01T00:00:00Z"}
        assert await ids(world.alice, **window) == [feb["id"]]
        assert await ids(world.alice, after="2024-03-01", before="2024-02-01") == []
        # The ends of time are bounds like any other.
        every = [mar["id"], feb["id"], jan["id"]]
        assert await ids(world.alice, before="9999-12-31T23:59:59.999Z") == every
        assert await ids(world.alice, after="0001-01-01T00:00:00Z") == every
        assert await ids(world.alice, before="0001-01-01") == []
        assert await ids(world.alice, after="9999-12-31") == []


class TestCombined:
    async def test_words_author_channel_and_time(self, world):
        other = await make_channel(world.alice, world.guild_id, "other")
        hit = await world.send(world.bob, "deploy the release")
        await world.send(world.alice, "deploy the release")  # another author
        await post(world.bob, other, "deploy the release")  # another channel
        await world.send(world.bob, "release notes")  # other words
        params = {
            "q": "deploy rel",
            "author_id": world.bob.user["id"],
            "channel_id": world.channel_id,
            "guild_id": world.guild_id,
            "after": "2020-01-01",
        }
        assert await ids(world.alice, **params) == [hit["id"]]
        assert await ids(world.alice, **params, before="2020-01-02") == []

    async def test_cyrillic_with_filters(self, world):
        hit = await world.send(world.bob, "Привет, Мир! https://пример.рф")
        await world.send(world.alice, "Привет всем")
        await world.send(world.bob, "привет без ссылки")
        r = await world.alice.get(
            URL, params={"q": "ПРИВЕТ ми", "author_id": world.bob.user["id"], "has": "link"}
        )
        assert r.status_code == 200, r.text
        [found] = r.json()
        assert found["id"] == hit["id"]
        assert found["highlights"] == ["Привет", "Мир"]

    async def test_a_channel_of_another_guild_with_guild_id_finds_nothing(self, world):
        other = await make_guild(world.alice, name="second")
        await world.send(world.alice, "hello")
        assert await ids(world.alice, channel_id=world.channel_id, guild_id=other) == []


class TestSortAndPaging:
    async def test_newest_oldest_relevance(self, world):
        best = await world.send(world.alice, "apple apple apple")
        middle = await world.send(world.alice, "apple pie and more words to dilute it")
        newest = await world.send(world.alice, "an apple among many other words in this one")
        assert await ids(world.alice, q="apple") == [newest["id"], middle["id"], best["id"]]
        assert await ids(world.alice, q="apple", sort="newest") == [
            newest["id"],
            middle["id"],
            best["id"],
        ]
        assert await ids(world.alice, q="apple", sort="oldest") == [
            best["id"],
            middle["id"],
            newest["id"],
        ]
        assert (await ids(world.alice, q="apple", sort="relevance"))[0] == best["id"]
        # Without words every hit is as relevant: newest first.
        assert await ids(world.alice, author_id=world.alice.user["id"], sort="relevance") == [
            newest["id"],
            middle["id"],
            best["id"],
        ]

    async def test_relevance_ranks_the_newest_candidates(self, world, monkeypatch):
        """Relevance orders the newest RELEVANCE_CANDIDATES matches (or offset+limit
        if more); an older best match is outside them, and pages past them exist."""
        monkeypatch.setattr(service, "RELEVANCE_CANDIDATES", 2)
        best = await world.send(world.alice, "apple apple apple")
        middle = await world.send(world.alice, "apple pie and more words to dilute it")
        newest = await world.send(world.alice, "an apple among many other words in this one")
        got = await ids(world.alice, q="apple", sort="relevance", limit=2)
        assert sorted(got) == sorted([newest["id"], middle["id"]])
        # offset + limit beyond the candidates widens them: every match is reachable.
        every = await ids(world.alice, q="apple", sort="relevance", limit=3)
        assert every[0] == best["id"] and sorted(every) == [best["id"], middle["id"], newest["id"]]
        assert await ids(world.alice, q="apple", sort="relevance", offset=2, limit=1) == every[2:]

    async def test_offset_pages(self, world):
        sent = [(await world.send(world.alice, f"page item {i}"))["id"] for i in range(5)]
        newest_first = sent[::-1]
        pages = [await ids(world.alice, q="item", limit=2, offset=o) for o in (0, 2, 4, 6)]
        assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:], []]
        assert await ids(world.alice, q="item", sort="oldest", limit=2, offset=1) == sent[1:3]
        assert await ids(world.alice, q="item", offset=service.MAX_OFFSET) == []

    @pytest.mark.parametrize("offset", ["5001", "-1", "1.5", "x", "99999999999999999999"])
    async def test_offset_cap(self, world, offset):
        r = await world.alice.get(URL, params={"q": "x", "offset": offset})
        assert_error(r, 400, "INVALID_INPUT", "offset")


class TestHighlights:
    async def test_the_matched_words_as_written(self, world):
        await world.send(world.alice, "Hello HELP, helper! hello again; unhelpful")
        r = await world.alice.get(URL, params={"q": "again hel"})
        [hit] = r.json()
        assert hit["highlights"] == ["Hello", "HELP", "helper", "hello", "again"]

    async def test_no_words_no_highlights(self, world):
        await world.send(world.alice, "whatever")
        r = await world.alice.get(URL, params={"author_id": world.alice.user["id"]})
        assert [h["highlights"] for h in r.json()] == [[]]


class TestInput:
    BAD: ClassVar[list[tuple[dict[str, str], str]]] = [
        ({"has": "video"}, "has"),
        ({"has": ""}, "has"),
        ({"pinned": "yes"}, "pinned"),
        ({"pinned": "TRUE"}, "pinned"),
        ({"before": "2024-13-01"}, "before"),
        ({"before": "2024-02-30"}, "before"),
        ({"before": "yesterday"}, "before"),
        ({"before": "2024-01-01T00:00:00"}, "before"),  # no offset: which zone?
        ({"after": "2024-01-01T25:00:00Z"}, "after"),
        ({"after": "1700000000"}, "after"),
        ({"after": "2024-01-01\x00"}, "after"),
        ({"before": "0000-01-01"}, "before"),
        ({"before": "２０２４-01-01"}, "before"),
        ({"sort": "best"}, "sort"),
        ({"guild_id": "0"}, "guild_id"),
        ({"author_id": "abc"}, "author_id"),
        ({"mentions": "-1"}, "mentions"),
        ({"channel_id": "1e3"}, "channel_id"),
    ]

    async def test_invalid_values(self, world):
        for params, field in self.BAD:
            for extra in ({"q": "hello"}, {}):  # with words and as the only filter
                r = await world.alice.get(URL, params={**extra, **params})
                assert_error(r, 400, "INVALID_INPUT", field)

    async def test_filters_make_words_optional(self, world):
        m = await world.send(world.alice, "anything")
        assert await ids(world.alice, q="", channel_id=world.channel_id) == [m["id"]]
        assert await ids(world.alice, q="  ", pinned="false") == [m["id"]]
        for params in ({"q": "", "sort": "oldest"}, {"offset": "5"}, {"limit": "5"}):
            r = await world.alice.get(URL, params=params)
            assert_error(r, 400, "INVALID_INPUT", "q")

    async def test_unknown_and_foreign_guild(self, world):
        theirs = await make_guild(world.carol, name="carol's")
        r = await world.alice.get(URL, params={"guild_id": theirs})
        assert_error(r, 403, "NOT_CHANNEL_MEMBER")
        r = await world.alice.get(URL, params={"guild_id": 987654})
        assert_error(r, 404, "GUILD_NOT_FOUND")


class TestVisibility:
    async def test_a_non_members_guild_never_appears(self, world):
        theirs = await make_guild(world.carol, name="carol's")
        secret = await make_channel(world.carol, theirs, "secret")
        await post(world.carol, secret, "secret https://plan.example")
        upload = await make_upload(world.carol, "notes.txt")
        await post(world.carol, secret, "secret file", files=[upload["path"]])
        for params in (
            {"q": "secret"},
            {"has": "link"},
            {"has": "file"},
            {"author_id": world.carol.user["id"]},
            {"after": "2000-01-01"},
            {"q": "s"},
        ):
            assert await ids(world.alice, **params) == [], params

    async def test_a_channel_hidden_by_an_overwrite_never_appears(self, world):
        """A real overwrite: @everyone denied VIEW_CHANNEL in one channel, and
        READ_MESSAGE_HISTORY in another (visible, but its history holds no hits)."""
        hidden = await make_channel(world.alice, world.guild_id, "staff")
        unread = await make_channel(world.alice, world.guild_id, "news")
        await post(world.alice, hidden, "staff only")
        await post(world.alice, unread, "staff news")
        shown = await world.send(world.alice, "staff meeting moved")
        roles = (await world.alice.get(f"/api/guilds/{world.guild_id}/roles")).json()
        everyone = next(r["id"] for r in roles if r["position"] == 0)
        for channel, denied in (
            (hidden, Permission.VIEW_CHANNEL),
            (unread, Permission.READ_MESSAGE_HISTORY),
        ):
            r = await world.alice.put(
                f"/api/channels/{channel}/permissions/{everyone}",
                json={"type": "role", "allow": "0", "deny": str(int(denied))},
            )
            assert r.status_code == 200, r.text
        assert await ids(world.bob, q="staff") == [shown["id"]]
        assert await ids(world.bob, guild_id=world.guild_id) == [shown["id"]]
        assert await ids(world.bob, q="staff", channel_id=unread) == []
        r = await world.bob.get(URL, params={"q": "staff", "channel_id": hidden})
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
        # The owner sees everything.
        assert len(await ids(world.alice, q="staff")) == 3

    async def test_one_letter_prefix_in_no_guild_answers_empty_without_the_index(
        self, world, monkeypatch
    ):
        await world.send(world.alice, "a apple and an avocado")

        def untouched(*_: Any) -> Any:
            raise AssertionError("the text index was queried for a user who sees nothing")

        monkeypatch.setattr(engines.TextSearch, "match", untouched)
        assert await ids(world.carol, q="a") == []
        assert await ids(world.carol, q="a", has="link", sort="relevance") == []

    async def test_joining_late_sees_history_leaving_hides_it(self, world):
        m = await world.send(world.alice, "welcome aboard")
        assert await ids(world.carol, q="welc") == []
        await add_member(world.alice, world.guild_id, world.carol)
        assert await ids(world.carol, q="welc") == [m["id"]]
        r = await world.carol.delete(f"/api/guilds/{world.guild_id}/members/@me")
        assert r.status_code == 200, r.text
        assert await ids(world.carol, q="welc") == []


class TestShortPrefixPlans:
    """SQLite answers a short prefix in a small scope row by row from the channel
    index, otherwise from the text index: both must find the same messages."""

    @pytest.mark.parametrize("small_scope", [0, service.SMALL_SCOPE])
    async def test_same_hits_either_way(self, world, monkeypatch, small_scope):
        monkeypatch.setattr(service, "SMALL_SCOPE", small_scope)
        other = await make_channel(world.alice, world.guild_id, "other")
        a1 = await world.send(world.alice, "ab initio")
        await world.send(world.alice, "nothing here")
        a2 = await post(world.bob, other, "Über ABC")
        a3 = await world.send(world.bob, "about that")
        assert await ids(world.alice, q="ab") == [a3["id"], a2["id"], a1["id"]]
        assert await ids(world.alice, q="a", author_id=world.bob.user["id"]) == [a3["id"], a2["id"]]
        assert await ids(world.alice, q="über a", channel_id=other) == [a2["id"]]
        assert await ids(world.alice, q="ab", sort="oldest", offset=1) == [a2["id"], a3["id"]]
        assert await ids(world.alice, q="ab", sort="relevance", limit=1) != []
