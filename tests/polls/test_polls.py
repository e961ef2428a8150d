"""Polls: create, vote, retract, read; who may; expiry; events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from guildhall.kit.time import utcnow
from guildhall.models import Poll, PollVote
from tests.conftest import assert_error

POLL = {"question": "Favourite colour?", "options": ["Red", "Blue", "Green"]}


async def make_poll(world, **overrides):
    m = await world.send(world.alice, "vote please")
    r = await world.alice.post(f"/api/messages/{m['id']}/poll", json={**POLL, **overrides})
    assert r.status_code == 201, r.text
    return m, r.json()


async def expire(world, poll_id: str) -> None:
    async with world.rt.transaction() as tx:
        await tx.session.execute(
            update(Poll)
            .where(Poll.id == poll_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )


async def vote_rows(world) -> int:
    async with world.rt.transaction(write=False) as tx:
        return await tx.session.scalar(select(func.count()).select_from(PollVote))


class TestCreatePoll:
    async def test_returns_the_poll(self, world, captured_events):
        m, poll = await make_poll(world)
        assert isinstance(poll["id"], str) and poll["id"]
        assert poll["question"] == "Favourite colour?"
        assert poll["options"] == [
            {"id": "1", "text": "Red", "votes": 0},
            {"id": "2", "text": "Blue", "votes": 0},
            {"id": "3", "text": "Green", "votes": 0},
        ]
        assert poll["allow_multiple"] is False and poll["expires_at"].endswith("Z")
        [event] = captured_events.named("poll_updated")
        assert event.room == world.room
        assert event.data == {**poll, "message_id": m["id"], "room": world.room, "seq": 2}

    async def test_the_message_carries_the_poll(self, world):
        _, poll = await make_poll(world)
        history = (await world.bob.get(f"/api/channels/{world.channel_id}/messages")).json()
        assert history["messages"][0]["poll"] == poll

    async def test_expiry_defaults_to_a_day_and_is_configurable(self, world):
        from datetime import datetime

        _, poll = await make_poll(world)
        _, week = await make_poll(world, expires_hours=168, allow_multiple=True)
        day_at = datetime.fromisoformat(poll["expires_at"].replace("Z", "+00:00"))
        week_at = datetime.fromisoformat(week["expires_at"].replace("Z", "+00:00"))
        assert timedelta(hours=143) < week_at - day_at < timedelta(hours=145)
        assert week["allow_multiple"] is True

    async def test_options_and_question_are_trimmed(self, world):
        _, poll = await make_poll(world, question="  Why?  ", options=[" a ", "b"])
        assert poll["question"] == "Why?" and [o["text"] for o in poll["options"]] == ["a", "b"]

    async def test_one_poll_a_message(self, world):
        m, _ = await make_poll(world)
        r = await world.alice.post(f"/api/messages/{m['id']}/poll", json=POLL)
        assert_error(r, 409, "CONFLICT")

    async def test_concurrent_creates_make_one_poll(self, world):
        import asyncio

        m = await world.send(world.alice, "race")
        rs = await asyncio.gather(
            *(world.alice.post(f"/api/messages/{m['id']}/poll", json=POLL) for _ in range(4))
        )
        assert sorted(r.status_code for r in rs) == [201, 409, 409, 409]
        async with world.rt.transaction(write=False) as tx:
            assert await tx.session.scalar(select(func.count()).select_from(Poll)) == 1

    async def test_only_the_author(self, world, anon):
        m = await world.send(world.bob, "bob's")
        url = f"/api/messages/{m['id']}/poll"
        assert_error(await world.alice.post(url, json=POLL), 403, "INSUFFICIENT_PERMISSIONS")
        assert_error(await world.carol.post(url, json=POLL), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await anon().post(url, json=POLL), 401, "AUTH_REQUIRED")
        assert_error(
            await world.alice.post("/api/messages/999999/poll", json=POLL), 404, "MESSAGE_NOT_FOUND"
        )
        assert_error(
            await world.alice.post("/api/messages/zz/poll", json=POLL), 404, "MESSAGE_NOT_FOUND"
        )

    @pytest.mark.parametrize(
        ("body", "status", "code", "field"),
        [
            ({"options": ["a", "b"]}, 400, "MISSING_REQUIRED_FIELD", "question"),
            ({"question": "q"}, 400, "MISSING_REQUIRED_FIELD", "options"),
            ({"question": "", "options": ["a", "b"]}, 400, "INVALID_INPUT", "question"),
            ({"question": "  ", "options": ["a", "b"]}, 400, "INVALID_INPUT", "question"),
            ({"question": "q" * 301, "options": ["a", "b"]}, 400, "INVALID_INPUT", "question"),
            ({"question": 1, "options": ["a", "b"]}, 400, "INVALID_INPUT", "question"),
            ({"question": "q", "options": ["a"]}, 400, "INVALID_INPUT", "options"),
            ({"question": "q", "options": []}, 400, "INVALID_INPUT", "options"),
            (
                {"question": "q", "options": [str(i) for i in range(11)]},
                400,
                "LIMIT_REACHED",
                "options",
            ),
            ({"question": "q", "options": ["a", ""]}, 400, "INVALID_INPUT", "options"),
            ({"question": "q", "options": ["a", " "]}, 400, "INVALID_INPUT", "options"),
            ({"question": "q", "options": ["a", "b" * 101]}, 400, "INVALID_INPUT", "options"),
            ({"question": "q", "options": ["a", 2]}, 400, "INVALID_INPUT", "options.1"),
            ({"question": "q", "options": "a,b"}, 400, "INVALID_INPUT", "options"),
            (
                {"question": "q", "options": ["a", "b"], "expires_hours": 0},
                400,
                "INVALID_INPUT",
                "expires_hours",
            ),
            (
                {"question": "q", "options": ["a", "b"], "expires_hours": 169},
                400,
                "INVALID_INPUT",
                "expires_hours",
            ),
            (
                {"question": "q", "options": ["a", "b"], "expires_hours": "24"},
                400,
                "INVALID_INPUT",
                "expires_hours",
            ),
            (
                {"question": "q", "options": ["a", "b"], "expires_hours": 10**30},
                400,
                "INVALID_INPUT",
                "expires_hours",
            ),
            (
                {"question": "q", "options": ["a", "b"], "allow_multiple": "yes"},
                400,
                "INVALID_INPUT",
                "allow_multiple",
            ),
        ],
    )
    async def test_bad_input_creates_nothing(self, world, body, status, code, field):
        m = await world.send(world.alice, "x")
        r = await world.alice.post(f"/api/messages/{m['id']}/poll", json=body)
        assert_error(r, status, code, field)
        assert_error(await world.alice.get(f"/api/messages/{m['id']}/poll"), 404, "POLL_NOT_FOUND")

    async def test_ten_options_are_fine(self, world):
        _, poll = await make_poll(world, options=[f"o{i}" for i in range(10)])
        assert [o["id"] for o in poll["options"]] == [str(i) for i in range(1, 11)]


class TestVote:
    async def test_single_choice_replaces(self, world, captured_events):
        m, poll = await make_poll(world)
        url = f"/api/polls/{poll['id']}/vote"
        r = await world.bob.post(url, json={"option_id": "1"})
        assert r.status_code == 200
        assert [o["votes"] for o in r.json()["options"]] == [1, 0, 0]
        assert r.json()["user_votes"] == ["1"]
        r = await world.bob.post(url, json={"option_id": 2})
        assert [o["votes"] for o in r.json()["options"]] == [0, 1, 0]
        assert r.json()["user_votes"] == ["2"]
        r = await world.alice.post(url, json={"option_id": "2"})
        assert [o["votes"] for o in r.json()["options"]] == [0, 2, 0]
        events = captured_events.named("poll_updated")[1:]
        assert len(events) == 3
        assert events[-1].room == world.room
        assert events[-1].data["message_id"] == m["id"] and events[-1].data["room"] == world.room
        assert [o["votes"] for o in events[-1].data["options"]] == [0, 2, 0]
        assert "user_votes" not in events[-1].data

    async def test_same_option_twice_changes_nothing(self, world, captured_events):
        _, poll = await make_poll(world)
        url = f"/api/polls/{poll['id']}/vote"
        await world.bob.post(url, json={"option_id": "3"})
        r = await world.bob.post(url, json={"option_id": "3"})
        assert [o["votes"] for o in r.json()["options"]] == [0, 0, 1]
        assert len(captured_events.named("poll_updated")) == 2  # create + first vote
        assert await vote_rows(world) == 1

    async def test_multiple_choice_adds(self, world):
        _, poll = await make_poll(world, allow_multiple=True)
        url = f"/api/polls/{poll['id']}/vote"
        await world.bob.post(url, json={"option_id": "1"})
        r = await world.bob.post(url, json={"option_id": "3"})
        assert [o["votes"] for o in r.json()["options"]] == [1, 0, 1]
        r = await world.bob.post(url, json={"option_id": "3"})
        assert [o["votes"] for o in r.json()["options"]] == [1, 0, 1]
        assert r.json()["user_votes"] == ["1", "3"]

    async def test_expired_poll(self, world):
        _, poll = await make_poll(world)
        await world.bob.post(f"/api/polls/{poll['id']}/vote", json={"option_id": "1"})
        await expire(world, poll["id"])
        r = await world.bob.post(f"/api/polls/{poll['id']}/vote", json={"option_id": "2"})
        assert_error(r, 400, "POLL_EXPIRED")
        assert_error(await world.bob.delete(f"/api/polls/{poll['id']}/vote"), 400, "POLL_EXPIRED")
        got = (await world.bob.get(f"/api/messages/{poll['message_id']}/poll")).json()
        assert got["user_votes"] == ["1"]

    @pytest.mark.parametrize(
        ("body", "code", "field"),
        [
            ({}, "MISSING_REQUIRED_FIELD", "option_id"),
            ({"option_id": "4"}, "INVALID_INPUT", "option_id"),
            ({"option_id": "0"}, "INVALID_INPUT", "option_id"),
            ({"option_id": "x" * 1000}, "INVALID_INPUT", "option_id"),
            ({"option_id": None}, "INVALID_INPUT", "option_id"),
            ({"option_id": True}, "INVALID_INPUT", "option_id"),
            ({"option_id": 1.0}, "INVALID_INPUT", "option_id"),
            ({"option_id": ["1"]}, "INVALID_INPUT", "option_id"),
        ],
    )
    async def test_bad_option(self, world, body, code, field):
        _, poll = await make_poll(world)
        r = await world.bob.post(f"/api/polls/{poll['id']}/vote", json=body)
        assert_error(r, 400, code, field)
        assert await vote_rows(world) == 0

    async def test_access(self, world, anon):
        _, poll = await make_poll(world)
        url = f"/api/polls/{poll['id']}/vote"
        assert_error(
            await world.carol.post(url, json={"option_id": "1"}), 403, "NOT_CHANNEL_MEMBER"
        )
        assert_error(await world.carol.delete(url), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await anon().post(url, json={"option_id": "1"}), 401, "AUTH_REQUIRED")
        assert_error(await anon().delete(url), 401, "AUTH_REQUIRED")
        for pid in ("nope", "x" * 100):
            r = await world.bob.post(f"/api/polls/{pid}/vote", json={"option_id": "1"})
            assert_error(r, 404, "POLL_NOT_FOUND")
            assert_error(await world.bob.delete(f"/api/polls/{pid}/vote"), 404, "POLL_NOT_FOUND")
        assert await vote_rows(world) == 0


class TestRetract:
    async def test_retracts_all_of_ones_votes(self, world, captured_events):
        _, poll = await make_poll(world, allow_multiple=True)
        url = f"/api/polls/{poll['id']}/vote"
        await world.bob.post(url, json={"option_id": "1"})
        await world.bob.post(url, json={"option_id": "2"})
        await world.alice.post(url, json={"option_id": "2"})
        captured_events.clear()
        r = await world.bob.delete(url)
        assert r.status_code == 200
        assert [o["votes"] for o in r.json()["options"]] == [0, 1, 0]
        assert r.json()["user_votes"] == []
        [event] = captured_events.named("poll_updated")
        assert [o["votes"] for o in event.data["options"]] == [0, 1, 0]
        r = await world.bob.delete(url)
        assert r.status_code == 200
        assert len(captured_events.named("poll_updated")) == 1


class TestGetPoll:
    async def test_poll_with_user_votes(self, world):
        m, poll = await make_poll(world)
        await world.bob.post(f"/api/polls/{poll['id']}/vote", json={"option_id": "2"})
        r = await world.bob.get(f"/api/messages/{m['id']}/poll")
        assert r.status_code == 200
        assert r.json() == {
            **poll,
            "options": [
                {"id": "1", "text": "Red", "votes": 0},
                {"id": "2", "text": "Blue", "votes": 1},
                {"id": "3", "text": "Green", "votes": 0},
            ],
            "user_votes": ["2"],
        }
        assert (await world.alice.get(f"/api/messages/{m['id']}/poll")).json()["user_votes"] == []

    async def test_errors(self, world, anon):
        m = await world.send(world.alice, "no poll")
        assert_error(await world.alice.get(f"/api/messages/{m['id']}/poll"), 404, "POLL_NOT_FOUND")
        assert_error(await world.alice.get("/api/messages/98765/poll"), 404, "MESSAGE_NOT_FOUND")
        assert_error(await world.alice.get("/api/messages/abc/poll"), 404, "MESSAGE_NOT_FOUND")
        m2, _ = await make_poll(world)
        assert_error(
            await world.carol.get(f"/api/messages/{m2['id']}/poll"), 403, "NOT_CHANNEL_MEMBER"
        )
        assert_error(await anon().get(f"/api/messages/{m2['id']}/poll"), 401, "AUTH_REQUIRED")

    async def test_deleting_the_message_deletes_the_poll(self, world):
        m, poll = await make_poll(world)
        await world.bob.post(f"/api/polls/{poll['id']}/vote", json={"option_id": "1"})
        await world.alice.delete(f"/api/messages/{m['id']}")
        r = await world.bob.post(f"/api/polls/{poll['id']}/vote", json={"option_id": "1"})
        assert_error(r, 404, "POLL_NOT_FOUND")
        assert await vote_rows(world) == 0
