"""POST /api/channels/{id}/messages: the message shape, rules, nonce, events, limits."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from guildhall.models import Message
from tests.conftest import MESSAGE_KEYS, assert_error
from tests.messages.factories import make_channel, make_upload


async def count_messages(rt) -> int:
    async with rt.transaction(write=False) as tx:
        return await tx.session.scalar(select(func.count()).select_from(Message))


class TestSendMessage:
    async def test_returns_the_full_message(self, world):
        r = await world.alice.post(
            f"/api/channels/{world.channel_id}/messages", json={"content": "  Hello, world!  "}
        )
        assert r.status_code == 201
        m = r.json()
        assert set(m) >= MESSAGE_KEYS
        assert m["content"] == "Hello, world!"
        assert isinstance(m["id"], int)
        assert m["channel_id"] == world.channel_id and m["guild_id"] == world.guild_id
        assert m["author_id"] == world.alice.user["id"] and m["username"] == "alice"
        assert m["avatar"] is None and m["edited_at"] is None and m["pinned"] is False
        assert m["files"] == [] and m["reactions"] == [] and m["poll"] is None
        assert m["nonce"] is None
        assert m["timestamp"].endswith("Z")

    async def test_member_may_send(self, world):
        m = await world.send(world.bob, "hi from bob")
        assert m["username"] == "bob"

    async def test_emits_new_message_to_the_channel_room(self, world, captured_events):
        m = await world.send(world.alice, "hey")
        [event] = captured_events.named("new_message")
        assert event.room == world.room
        assert event.data == {**m, "seq": 1}  # numbered when it committed (section 18)

    async def test_keeps_newlines_and_tabs(self, world):
        m = await world.send(world.alice, "line one\n\tline two")
        assert m["content"] == "line one\n\tline two"

    async def test_non_member_is_refused(self, world):
        r = await world.carol.post(
            f"/api/channels/{world.channel_id}/messages", json={"content": "x"}
        )
        assert_error(r, 403, "NOT_CHANNEL_MEMBER")
        assert await count_messages(world.rt) == 0

    async def test_anonymous_is_refused(self, world, anon):
        r = await anon().post(f"/api/channels/{world.channel_id}/messages", json={"content": "x"})
        assert_error(r, 401, "AUTH_REQUIRED")

    @pytest.mark.parametrize("channel_id", ["999999", "abc", "-1", "0", "1.5", "9" * 30])
    async def test_unknown_or_malformed_channel_is_404(self, world, channel_id):
        r = await world.alice.post(f"/api/channels/{channel_id}/messages", json={"content": "x"})
        assert_error(r, 404, "CHANNEL_NOT_FOUND")

    async def test_read_only_channel_refuses_members(self, world):
        cid = await make_channel(world.alice, world.guild_id, "news", read_only=True)
        r = await world.bob.post(f"/api/channels/{cid}/messages", json={"content": "x"})
        assert_error(r, 403, "CHANNEL_READ_ONLY")
        r = await world.alice.post(f"/api/channels/{cid}/messages", json={"content": "owner"})
        assert r.status_code == 201, r.text
        sent = r.json()
        assert sent["content"] == "owner" and sent["channel_id"] == cid
        # Stored, and only the owner's: the refused send left nothing behind.
        history = (await world.bob.get(f"/api/channels/{cid}/messages")).json()["messages"]
        assert history == [sent]

    @pytest.mark.parametrize("kind", ["voice", "category"])
    async def test_only_text_channels_take_messages(self, world, kind):
        cid = await make_channel(world.alice, world.guild_id, kind, type=kind)
        r = await world.alice.post(f"/api/channels/{cid}/messages", json={"content": "x"})
        assert_error(r, 400, "INVALID_INPUT", "channel_id")

    async def test_content_at_the_length_limit(self, world):
        m = await world.send(world.alice, "é" * 2000)
        assert len(m["content"]) == 2000

    @pytest.mark.parametrize(
        ("body", "code", "field"),
        [
            ({}, "MISSING_REQUIRED_FIELD", "content"),
            ({"content": None}, "MISSING_REQUIRED_FIELD", "content"),
            ({"content": ""}, "INVALID_INPUT", "content"),
            ({"content": "   \n\t "}, "INVALID_INPUT", "content"),
            ({"content": "x" * 2001}, "INVALID_INPUT", "content"),
            ({"content": "bell\x07"}, "INVALID_INPUT", "content"),
            ({"content": "nul\x00"}, "INVALID_INPUT", "content"),
            ({"content": 5}, "INVALID_INPUT", "content"),
            ({"content": ["x"]}, "INVALID_INPUT", "content"),
            ({"content": "x", "files": "uploads/a.png"}, "INVALID_INPUT", "files"),
            ({"content": "x", "files": [1]}, "INVALID_INPUT", "files.0"),
            ({"content": "x", "files": ["uploads/nope/a.png"]}, "INVALID_INPUT", "files"),
            ({"content": "", "files": []}, "INVALID_INPUT", "content"),
            ({"content": "x", "nonce": 5}, "INVALID_INPUT", "nonce"),
            ({"content": "x", "nonce": "n" * 65}, "INVALID_INPUT", "nonce"),
            ({"content": "x", "nonce": "a\x01"}, "INVALID_INPUT", "nonce"),
        ],
    )
    async def test_bad_input_changes_nothing(self, world, body, code, field):
        r = await world.alice.post(f"/api/channels/{world.channel_id}/messages", json=body)
        assert_error(r, 400, code, field)
        assert await count_messages(world.rt) == 0

    async def test_malformed_json_and_non_object(self, world):
        url = f"/api/channels/{world.channel_id}/messages"
        r = await world.alice.post(
            url, content=b'{"content":', headers={"content-type": "application/json"}
        )
        assert_error(r, 400, "INVALID_INPUT")
        assert_error(await world.alice.post(url, json=["x"]), 400, "INVALID_INPUT")
        assert_error(await world.alice.post(url, json="x"), 400, "INVALID_INPUT")

    async def test_body_over_a_megabyte_is_413(self, world):
        r = await world.alice.post(
            f"/api/channels/{world.channel_id}/messages", json={"content": "x" * 1_100_000}
        )
        assert r.status_code == 413

    async def test_unknown_fields_are_ignored(self, world):
        m = await world.send(world.alice, "x", author_id=12345, pinned=True)
        assert m["author_id"] == world.alice.user["id"] and m["pinned"] is False


class TestSendWithFiles:
    async def test_attaches_own_uploads_in_order(self, world):
        a = await make_upload(world.alice, "a.png")
        b = await make_upload(world.alice, "notes.txt")
        m = await world.send(world.alice, "see", files=[b["path"], a["path"]])
        assert m["files"] == [b, a]

    async def test_files_without_content(self, world):
        a = await make_upload(world.alice)
        r = await world.alice.post(
            f"/api/channels/{world.channel_id}/messages", json={"files": [a["path"]]}
        )
        assert r.status_code == 201
        assert r.json()["content"] == "" and r.json()["files"] == [a]
        r = await world.alice.post(
            f"/api/channels/{world.channel_id}/messages",
            json={"content": " ", "files": [a["path"]]},
        )
        assert r.status_code == 201 and r.json()["content"] == ""

    async def test_someone_elses_upload_is_refused(self, world):
        theirs = await make_upload(world.bob)
        r = await world.alice.post(
            f"/api/channels/{world.channel_id}/messages",
            json={"content": "x", "files": [theirs["path"]]},
        )
        assert_error(r, 400, "INVALID_INPUT", "files")
        assert await count_messages(world.rt) == 0

    async def test_at_most_ten_files(self, world):
        uploads = [await make_upload(world.alice, f"f{i}.png") for i in range(11)]
        url = f"/api/channels/{world.channel_id}/messages"
        r = await world.alice.post(
            url, json={"content": "x", "files": [u["path"] for u in uploads]}
        )
        assert_error(r, 400, "INVALID_INPUT", "files")
        r = await world.alice.post(
            url, json={"content": "x", "files": [u["path"] for u in uploads[:10]]}
        )
        assert r.status_code == 201 and len(r.json()["files"]) == 10

    async def test_same_path_twice_attaches_once(self, world):
        a = await make_upload(world.alice)
        m = await world.send(world.alice, "x", files=[a["path"], a["path"]])
        assert m["files"] == [a]


class TestNonce:
    async def test_same_nonce_returns_the_first_message(self, world, captured_events):
        first = await world.send(world.alice, "once", nonce="abc-1")
        assert first["nonce"] == "abc-1"
        again = await world.send(world.alice, "once", nonce="abc-1")
        assert again["id"] == first["id"]
        assert await count_messages(world.rt) == 1
        assert len(captured_events.named("new_message")) == 1

    async def test_nonce_is_per_user_and_channel(self, world):
        other = await make_channel(world.alice, world.guild_id, "other")
        a = await world.send(world.alice, "x", nonce="n1")
        b = await world.send(world.bob, "x", nonce="n1")
        r = await world.alice.post(
            f"/api/channels/{other}/messages", json={"content": "x", "nonce": "n1"}
        )
        assert len({a["id"], b["id"], r.json()["id"]}) == 3

    async def test_after_five_minutes_a_reused_nonce_makes_a_new_message(self, world):
        first = await world.send(world.alice, "x", nonce="old")
        async with world.rt.transaction() as tx:
            msg = await tx.session.get(Message, first["id"])
            msg.created_at = msg.created_at.replace(year=msg.created_at.year - 1)
        second = await world.send(world.alice, "x", nonce="old")
        assert second["id"] != first["id"] and second["nonce"] == "old"
        r = await world.alice.get(f"/api/channels/{world.channel_id}/messages")
        old = next(m for m in r.json()["messages"] if m["id"] == first["id"])
        assert old["nonce"] is None

    async def test_concurrent_identical_sends_make_one_message(self, world):
        url = f"/api/channels/{world.channel_id}/messages"
        body = {"content": "race", "nonce": "race-1"}
        results = await asyncio.gather(*(world.alice.post(url, json=body) for _ in range(5)))
        assert {r.status_code for r in results} == {201}
        assert len({r.json()["id"] for r in results}) == 1
        assert await count_messages(world.rt) == 1


class TestMessageRateLimit:
    @pytest.fixture
    def settings_overrides(self):
        return {"message_rate_limit": "3/minute"}

    async def test_too_many_messages(self, world):
        for i in range(3):
            await world.send(world.alice, f"m{i}")
        r = await world.alice.post(
            f"/api/channels/{world.channel_id}/messages", json={"content": "one more"}
        )
        assert_error(r, 429, "TOO_MANY_MESSAGES")
        assert "Retry-After" in r.headers
        assert await count_messages(world.rt) == 3
        # Another user has their own window.
        await world.send(world.bob, "bob is fine")
