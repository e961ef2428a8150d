"""Edit, delete, pin/unpin, the pins list: who may, what is emitted, bad input."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.messages.factories import make_upload


class TestEditMessage:
    async def test_author_edits(self, world, captured_events):
        m = await world.send(world.bob, "before")
        r = await world.bob.put(f"/api/messages/{m['id']}", json={"content": "  after "})
        assert r.status_code == 200
        body = r.json()
        assert body["content"] == "after" and body["edited_at"].endswith("Z")
        assert body["id"] == m["id"] and body["timestamp"] == m["timestamp"]
        [event] = captured_events.named("message_edited")
        assert event.room == world.room
        assert event.data == {**body, "room": world.room, "seq": 2}
        history = (await world.alice.get(f"/api/channels/{world.channel_id}/messages")).json()
        assert history["messages"][0]["content"] == "after"

    async def test_owner_cannot_edit_someone_elses(self, world):
        m = await world.send(world.bob, "mine")
        r = await world.alice.put(f"/api/messages/{m['id']}", json={"content": "owned"})
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")

    async def test_non_member_and_anonymous(self, world, anon):
        m = await world.send(world.bob, "mine")
        r = await world.carol.put(f"/api/messages/{m['id']}", json={"content": "x"})
        assert_error(r, 403, "NOT_CHANNEL_MEMBER")
        r = await anon().put(f"/api/messages/{m['id']}", json={"content": "x"})
        assert_error(r, 401, "AUTH_REQUIRED")

    @pytest.mark.parametrize("mid", ["99999", "abc", "-2", "1e3"])
    async def test_unknown_message(self, world, mid):
        r = await world.alice.put(f"/api/messages/{mid}", json={"content": "x"})
        assert_error(r, 404, "MESSAGE_NOT_FOUND")

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({}, "MISSING_REQUIRED_FIELD"),
            ({"content": ""}, "INVALID_INPUT"),
            ({"content": " "}, "INVALID_INPUT"),
            ({"content": "x" * 2001}, "INVALID_INPUT"),
            ({"content": 3}, "INVALID_INPUT"),
            ({"content": None}, "INVALID_INPUT"),
            ({"content": "a\x1bb"}, "INVALID_INPUT"),
        ],
    )
    async def test_bad_content_changes_nothing(self, world, body, code):
        m = await world.send(world.bob, "keep")
        r = await world.bob.put(f"/api/messages/{m['id']}", json=body)
        assert_error(r, 400, code, "content")
        history = (await world.bob.get(f"/api/channels/{world.channel_id}/messages")).json()
        assert history["messages"][0]["content"] == "keep"
        assert history["messages"][0]["edited_at"] is None

    async def test_message_with_files_may_become_empty(self, world):
        up = await make_upload(world.bob)
        m = await world.send(world.bob, "caption", files=[up["path"]])
        r = await world.bob.put(f"/api/messages/{m['id']}", json={"content": ""})
        assert r.status_code == 200 and r.json()["content"] == "" and r.json()["files"] == [up]


class TestDeleteMessage:
    async def test_author_deletes(self, world, captured_events):
        m = await world.send(world.bob, "bye")
        r = await world.bob.delete(f"/api/messages/{m['id']}")
        assert r.status_code == 200
        assert r.json() == {"message": "Message deleted successfully"}
        [event] = captured_events.named("message_deleted")
        assert event.room == world.room
        assert event.data == {
            "id": m["id"],
            "room": world.room,
            "channel_id": world.channel_id,
            "seq": 2,
        }
        history = (await world.bob.get(f"/api/channels/{world.channel_id}/messages")).json()
        assert history["messages"] == []
        assert_error(await world.bob.delete(f"/api/messages/{m['id']}"), 404, "MESSAGE_NOT_FOUND")

    async def test_owner_deletes_others(self, world):
        m = await world.send(world.bob, "moderated")
        r = await world.alice.delete(f"/api/messages/{m['id']}")
        assert r.status_code == 200

    async def test_other_member_cannot(self, world, make_user):
        from tests.factories import add_member

        dave = await make_user("dave")
        await add_member(world.alice, world.guild_id, dave)
        m = await world.send(world.bob, "mine")
        assert_error(await dave.delete(f"/api/messages/{m['id']}"), 403, "INSUFFICIENT_PERMISSIONS")
        m2 = await world.send(world.alice, "owner's")
        assert_error(
            await world.bob.delete(f"/api/messages/{m2['id']}"), 403, "INSUFFICIENT_PERMISSIONS"
        )

    async def test_non_member_and_anonymous(self, world, anon):
        m = await world.send(world.bob, "mine")
        assert_error(
            await world.carol.delete(f"/api/messages/{m['id']}"), 403, "NOT_CHANNEL_MEMBER"
        )
        assert_error(await anon().delete(f"/api/messages/{m['id']}"), 401, "AUTH_REQUIRED")
        history = (await world.bob.get(f"/api/channels/{world.channel_id}/messages")).json()
        assert len(history["messages"]) == 1

    async def test_delete_deletes_an_upload_no_other_message_holds(self, world):
        """Contract section 19 (tests/security/test_file_lifetime.py attacks it)."""
        up = await make_upload(world.bob)
        kept = await world.send(world.bob, "x", files=[up["path"]])
        m = await world.send(world.bob, "x", files=[up["path"]])
        await world.bob.delete(f"/api/messages/{m['id']}")
        again = await world.send(world.bob, "again", files=[up["path"]])
        assert again["files"] == [up]  # still held by ``kept`` (and now ``again``)
        for message in (kept, again):
            await world.bob.delete(f"/api/messages/{message['id']}")
        r = await world.bob.post(
            f"/api/channels/{world.channel_id}/messages",
            json={"content": "once more", "files": [up["path"]]},
        )
        assert r.status_code == 400 and r.json()["code"] == "INVALID_INPUT"


class TestPins:
    async def test_pin_and_unpin(self, world, captured_events):
        m = await world.send(world.bob, "important")
        r = await world.bob.post(f"/api/messages/{m['id']}/pin")
        assert r.status_code == 200 and r.json() == {"message": "Message pinned successfully"}
        [event] = captured_events.named("message_pinned")
        assert event.room == world.room
        assert event.data == {"message_id": m["id"], "room": world.room, "seq": 2}
        pins = (await world.bob.get(f"/api/channels/{world.channel_id}/pins")).json()
        assert [p["id"] for p in pins] == [m["id"]] and pins[0]["pinned"] is True

        r = await world.alice.post(f"/api/messages/{m['id']}/unpin")
        assert r.status_code == 200 and r.json() == {"message": "Message unpinned successfully"}
        [event] = captured_events.named("message_unpinned")
        assert event.data == {"message_id": m["id"], "room": world.room, "seq": 3}
        assert (await world.bob.get(f"/api/channels/{world.channel_id}/pins")).json() == []

    async def test_pinning_twice_is_harmless(self, world, captured_events):
        m = await world.send(world.bob, "x")
        await world.bob.post(f"/api/messages/{m['id']}/pin")
        r = await world.bob.post(f"/api/messages/{m['id']}/pin")
        assert r.status_code == 200
        assert len(captured_events.named("message_pinned")) == 1
        r = await world.bob.post(f"/api/messages/{m['id']}/unpin")
        r = await world.bob.post(f"/api/messages/{m['id']}/unpin")
        assert r.status_code == 200
        assert len(captured_events.named("message_unpinned")) == 1

    async def test_pins_are_newest_first(self, world):
        ids = [(await world.send(world.alice, f"p{i}"))["id"] for i in range(3)]
        for mid in (ids[1], ids[0], ids[2]):
            await world.alice.post(f"/api/messages/{mid}/pin")
        pins = (await world.bob.get(f"/api/channels/{world.channel_id}/pins")).json()
        assert [p["id"] for p in pins] == [ids[2], ids[1], ids[0]]

    async def test_who_may_pin(self, world, make_user):
        from tests.factories import add_member

        dave = await make_user("dave")
        await add_member(world.alice, world.guild_id, dave)
        m = await world.send(world.bob, "x")
        assert_error(
            await dave.post(f"/api/messages/{m['id']}/pin"), 403, "INSUFFICIENT_PERMISSIONS"
        )
        assert_error(
            await world.carol.post(f"/api/messages/{m['id']}/pin"), 403, "NOT_CHANNEL_MEMBER"
        )
        assert (await world.alice.post(f"/api/messages/{m['id']}/pin")).status_code == 200
        assert_error(
            await dave.post(f"/api/messages/{m['id']}/unpin"), 403, "INSUFFICIENT_PERMISSIONS"
        )
        assert_error(
            await world.carol.post(f"/api/messages/{m['id']}/unpin"), 403, "NOT_CHANNEL_MEMBER"
        )

    async def test_anonymous_and_unknown(self, world, anon):
        m = await world.send(world.bob, "x")
        assert_error(await anon().post(f"/api/messages/{m['id']}/pin"), 401, "AUTH_REQUIRED")
        assert_error(await world.bob.post("/api/messages/777777/pin"), 404, "MESSAGE_NOT_FOUND")
        assert_error(await world.bob.post("/api/messages/x/unpin"), 404, "MESSAGE_NOT_FOUND")

    async def test_pins_list_access(self, world, anon):
        assert_error(
            await world.carol.get(f"/api/channels/{world.channel_id}/pins"),
            403,
            "NOT_CHANNEL_MEMBER",
        )
        assert_error(
            await anon().get(f"/api/channels/{world.channel_id}/pins"), 401, "AUTH_REQUIRED"
        )
        assert_error(await world.alice.get("/api/channels/555555/pins"), 404, "CHANNEL_NOT_FOUND")
        assert_error(await world.alice.get("/api/channels/abc/pins"), 404, "CHANNEL_NOT_FOUND")


class TestPinLimit:
    @pytest.fixture
    def settings_overrides(self):
        return {"max_pins_per_channel": 2}

    async def test_limit_reached(self, world, captured_events):
        ids = [(await world.send(world.alice, f"p{i}"))["id"] for i in range(3)]
        for mid in ids[:2]:
            assert (await world.alice.post(f"/api/messages/{mid}/pin")).status_code == 200
        assert_error(await world.alice.post(f"/api/messages/{ids[2]}/pin"), 400, "LIMIT_REACHED")
        assert len(captured_events.named("message_pinned")) == 2
        # An already pinned message is not a new pin.
        assert (await world.alice.post(f"/api/messages/{ids[0]}/pin")).status_code == 200
        await world.alice.post(f"/api/messages/{ids[0]}/unpin")
        assert (await world.alice.post(f"/api/messages/{ids[2]}/pin")).status_code == 200
