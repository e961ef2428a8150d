"""Edit history (contract section 16): every edit keeps the version it replaces."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import assert_error


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def edit(client, message_id: int, content: str) -> dict:
    r = await client.put(f"/api/messages/{message_id}", json={"content": content})
    assert r.status_code == 200, r.text
    return r.json()


class TestEditHistory:
    async def test_versions_oldest_first_with_when_they_were_replaced(self, world):
        m = await world.send(world.alice, "one")
        first = await edit(world.alice, m["id"], "two")
        second = await edit(world.alice, m["id"], "three")
        r = await world.bob.get(f"/api/messages/{m['id']}/edits")
        assert r.status_code == 200, r.text
        versions = r.json()
        assert [v["content"] for v in versions] == ["one", "two"]
        assert [set(v) for v in versions] == [{"content", "edited_at"}] * 2
        # "one" was replaced by the first edit, "two" by the second.
        assert versions[0]["edited_at"] == first["edited_at"]
        assert versions[1]["edited_at"] == second["edited_at"]
        assert when(m["timestamp"]) <= when(versions[0]["edited_at"])
        assert when(versions[0]["edited_at"]) <= when(versions[1]["edited_at"])

    async def test_an_unedited_message_has_no_history(self, world):
        m = await world.send(world.alice, "once")
        r = await world.alice.get(f"/api/messages/{m['id']}/edits")
        assert r.status_code == 200 and r.json() == []

    async def test_only_readers_of_the_message(self, world):
        m = await world.send(world.alice, "one")
        await edit(world.alice, m["id"], "two")
        assert_error(
            await world.carol.get(f"/api/messages/{m['id']}/edits"), 403, "NOT_CHANNEL_MEMBER"
        )

    async def test_unknown_and_deleted_messages(self, world):
        assert_error(
            await world.alice.get("/api/messages/99999999/edits"), 404, "MESSAGE_NOT_FOUND"
        )
        assert_error(await world.alice.get("/api/messages/abc/edits"), 404, "MESSAGE_NOT_FOUND")
        m = await world.send(world.alice, "one")
        await edit(world.alice, m["id"], "two")
        assert (await world.alice.delete(f"/api/messages/{m['id']}")).status_code == 200
        assert_error(
            await world.alice.get(f"/api/messages/{m['id']}/edits"), 404, "MESSAGE_NOT_FOUND"
        )

    async def test_a_refused_edit_keeps_no_version(self, world):
        m = await world.send(world.alice, "mine")
        r = await world.bob.put(f"/api/messages/{m['id']}", json={"content": "hacked"})
        assert r.status_code == 403
        r = await world.alice.put(f"/api/messages/{m['id']}", json={"content": "   "})
        assert r.status_code == 400
        assert (await world.alice.get(f"/api/messages/{m['id']}/edits")).json() == []
