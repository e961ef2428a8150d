"""GET /api/channels/{id}/messages: pages from the newest, cursors, the shape."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.messages.factories import make_channel


async def fill(world, n: int) -> list[int]:
    return [(await world.send(world.alice, f"m{i}"))["id"] for i in range(n)]


class TestHistoryPages:
    async def test_page_one_holds_the_newest_oldest_first(self, world):
        ids = await fill(world, 7)
        r = await world.bob.get(f"/api/channels/{world.channel_id}/messages?limit=3")
        assert r.status_code == 200
        body = r.json()
        assert [m["id"] for m in body["messages"]] == ids[4:7]
        assert body["pagination"] == {"page": 1, "limit": 3, "total": 7, "pages": 3}

    async def test_pages_walk_back_without_gaps(self, world):
        ids = await fill(world, 7)
        url = f"/api/channels/{world.channel_id}/messages?limit=3&page="
        pages = [
            [m["id"] for m in (await world.alice.get(url + str(p))).json()["messages"]]
            for p in (1, 2, 3)
        ]
        assert pages == [ids[4:7], ids[1:4], ids[0:1]]

    async def test_past_the_end_is_empty(self, world):
        await fill(world, 2)
        r = await world.alice.get(f"/api/channels/{world.channel_id}/messages?page=5")
        assert r.status_code == 200
        assert r.json()["messages"] == []
        assert r.json()["pagination"] == {"page": 5, "limit": 50, "total": 2, "pages": 1}

    async def test_empty_channel(self, world):
        r = await world.alice.get(f"/api/channels/{world.channel_id}/messages")
        assert r.json() == {
            "messages": [],
            "pagination": {"page": 1, "limit": 50, "total": 0, "pages": 0},
        }

    async def test_only_this_channels_messages(self, world):
        other = await make_channel(world.alice, world.guild_id, "other")
        await world.alice.post(f"/api/channels/{other}/messages", json={"content": "elsewhere"})
        mine = await world.send(world.alice, "here")
        r = await world.alice.get(f"/api/channels/{world.channel_id}/messages")
        assert [m["id"] for m in r.json()["messages"]] == [mine["id"]]
        assert r.json()["pagination"]["total"] == 1

    async def test_messages_have_the_full_shape(self, world):
        sent = await world.send(world.alice, "shape")
        r = await world.alice.get(f"/api/channels/{world.channel_id}/messages")
        assert r.json()["messages"] == [sent]

    async def test_limit_is_clamped(self, world):
        """More rows than the cap: the clamp shows in what is served, not only in
        the pagination's echo."""
        await world.send_many(world.alice, 101)
        for raw, expected in [("0", 1), ("-5", 1), ("1000", 100), ("", 50)]:
            r = await world.alice.get(f"/api/channels/{world.channel_id}/messages?limit={raw}")
            assert r.status_code == 200, r.text
            page = r.json()
            assert page["pagination"]["limit"] == expected, raw
            assert page["pagination"]["total"] == 101, raw
            assert len(page["messages"]) == expected, raw

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("limit=abc", "limit"),
            ("limit=1.5", "limit"),
            ("page=abc", "page"),
            ("page=0", "page"),
            ("page=-1", "page"),
            ("page=" + "9" * 40, "page"),
            ("before=abc", "before"),
            ("after=x", "after"),
            ("before=-3", "before"),
            ("before=5&after=1", "before"),
        ],
    )
    async def test_bad_query_values(self, world, query, field):
        r = await world.alice.get(f"/api/channels/{world.channel_id}/messages?{query}")
        assert_error(r, 400, "INVALID_INPUT", field)


class TestHistoryCursors:
    @pytest.mark.parametrize(
        ("count", "cursor", "at", "limit", "expected", "has_more"),
        [
            # before: the newest older ones, oldest first, until the start
            pytest.param(10, "before", 6, 3, (3, 6), True, id="before"),
            pytest.param(4, "before", 2, 5, (0, 2), False, id="before-reaches-the-start"),
            # after: the oldest newer ones, until the newest; after=0 starts at the oldest
            pytest.param(10, "after", 2, 3, (3, 6), True, id="after"),
            pytest.param(10, "after", 7, 3, (8, 10), False, id="after-reaches-the-newest"),
            pytest.param(3, "after", None, 2, (0, 2), True, id="after-zero"),
        ],
    )
    async def test_cursor_pages(self, world, count, cursor, at, limit, expected, has_more):
        """``?{cursor}=<id of message number at>&limit=``: messages ``expected``
        (a slice of the channel's, oldest first) and whether more lie that way."""
        ids = await fill(world, count)
        value = 0 if at is None else ids[at]
        r = await world.alice.get(
            f"/api/channels/{world.channel_id}/messages?{cursor}={value}&limit={limit}"
        )
        body = r.json()
        assert [m["id"] for m in body["messages"]] == ids[slice(*expected)]
        assert body["pagination"] == {"limit": limit, "has_more": has_more}

    async def test_walking_before_covers_everything_once(self, world):
        ids = await fill(world, 9)
        seen: list[int] = []
        cursor = ""
        while True:
            url = f"/api/channels/{world.channel_id}/messages?limit=4"
            r = await world.alice.get(url + (f"&before={cursor}" if cursor else ""))
            batch = [m["id"] for m in r.json()["messages"]]
            if not batch:
                break
            seen = batch + seen
            cursor = str(batch[0])
        assert seen == ids


class TestHistoryAccess:
    async def test_non_member(self, world):
        r = await world.carol.get(f"/api/channels/{world.channel_id}/messages")
        assert_error(r, 403, "NOT_CHANNEL_MEMBER")
        r = await world.carol.get(f"/api/channels/{world.channel_id}/messages?before=5")
        assert_error(r, 403, "NOT_CHANNEL_MEMBER")

    async def test_anonymous(self, world, anon):
        r = await anon().get(f"/api/channels/{world.channel_id}/messages")
        assert_error(r, 401, "AUTH_REQUIRED")

    @pytest.mark.parametrize("cid", ["424242", "nope", "0"])
    async def test_unknown_channel(self, world, cid):
        assert_error(
            await world.alice.get(f"/api/channels/{cid}/messages"), 404, "CHANNEL_NOT_FOUND"
        )


class TestLatestService:
    """``latest`` feeds the socket's ``messages_history``."""

    async def test_newest_oldest_first(self, world):
        from guildhall.messages import service

        ids = await fill(world, 5)
        async with world.rt.transaction(write=False) as tx:
            got = await service.latest(tx, world.bob.user["id"], world.channel_id, limit=3)
        assert [m["id"] for m in got] == ids[2:5]

    async def test_checks_membership(self, world):
        from guildhall.errors import AppError
        from guildhall.messages import service

        async with world.rt.transaction(write=False) as tx:
            with pytest.raises(AppError) as err:
                await service.latest(tx, world.carol.user["id"], world.channel_id)
        assert err.value.code == "NOT_CHANNEL_MEMBER"


class TestTotalCount:
    """``total`` comes from the trigger-kept ``channels.message_count``."""

    async def total(self, world) -> int:
        r = await world.alice.get(f"/api/channels/{world.channel_id}/messages")
        return r.json()["pagination"]["total"]

    async def test_follows_sends_and_deletes(self, world):
        ids = await fill(world, 4)
        assert await self.total(world) == 4
        await world.alice.delete(f"/api/messages/{ids[0]}")
        assert await self.total(world) == 3
        again = await world.send(world.alice, "dup", nonce="n")
        await world.send(world.alice, "dup", nonce="n")
        assert await self.total(world) == 4 and again["id"]

    async def test_follows_cascades_from_a_deleted_author(self, world):
        from sqlalchemy import delete

        from guildhall.models import User

        await fill(world, 2)
        await world.send(world.bob, "bob's")
        async with world.rt.transaction() as tx:
            await tx.session.execute(delete(User).where(User.id == world.bob.user["id"]))
        assert await self.total(world) == 2

    async def test_deleting_a_channel_with_messages_works(self, world):
        from sqlalchemy import delete, select

        from guildhall.models import Channel, Message

        other = await make_channel(world.alice, world.guild_id, "other")
        await world.alice.post(f"/api/channels/{other}/messages", json={"content": "x"})
        await fill(world, 2)
        async with world.rt.transaction() as tx:
            await tx.session.execute(delete(Channel).where(Channel.id == other))
        async with world.rt.transaction(write=False) as tx:
            left = (await tx.session.execute(select(Message.channel_id))).scalars().all()
        assert set(left) == {world.channel_id}
        assert await self.total(world) == 2

    async def test_deleting_the_guild_with_messages_works(self, world):
        await fill(world, 3)
        r = await world.alice.delete(f"/api/guilds/{world.guild_id}")
        assert r.status_code == 200, r.text
        r = await world.alice.get(f"/api/channels/{world.channel_id}/messages")
        assert r.status_code == 404
