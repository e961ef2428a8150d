"""Retention: a channel keeps at most ``max_messages_per_channel`` messages."""

from __future__ import annotations

import pytest

from tests.messages.factories import make_channel


async def history_ids(world) -> list[int]:
    r = await world.alice.get(f"/api/channels/{world.channel_id}/messages?limit=100")
    return [m["id"] for m in r.json()["messages"]]


class TestRetention:
    @pytest.fixture
    def settings_overrides(self):
        return {"max_messages_per_channel": 5}

    async def test_oldest_are_deleted_with_events(self, world, captured_events):
        ids = [(await world.send(world.alice, f"m{i}"))["id"] for i in range(7)]
        assert await history_ids(world) == ids[2:]
        deleted = captured_events.named("message_deleted")
        assert [e.data for e in deleted] == [
            # Numbered before the new_message of the send that trimmed them.
            {"id": ids[0], "room": world.room, "channel_id": world.channel_id, "seq": 6},
            {"id": ids[1], "room": world.room, "channel_id": world.channel_id, "seq": 8},
        ]
        assert all(e.room == world.room for e in deleted)
        r = await world.alice.get(f"/api/channels/{world.channel_id}/messages")
        assert r.json()["pagination"]["total"] == 5

    async def test_pinned_messages_survive(self, world):
        ids = [(await world.send(world.alice, f"m{i}"))["id"] for i in range(2)]
        for mid in ids:
            await world.alice.post(f"/api/messages/{mid}/pin")
        more = [(await world.send(world.alice, f"n{i}"))["id"] for i in range(6)]
        assert await history_ids(world) == ids + more[3:]

    async def test_the_new_message_is_kept_when_pins_fill_the_cap(self, world):
        ids = [(await world.send(world.alice, f"m{i}"))["id"] for i in range(5)]
        for mid in ids:
            await world.alice.post(f"/api/messages/{mid}/pin")
        new = await world.send(world.alice, "new")
        newer = await world.send(world.alice, "newer")
        assert await history_ids(world) == [*ids, newer["id"]]
        assert new["id"] not in await history_ids(world)

    async def test_other_channels_are_untouched(self, world):
        other = await make_channel(world.alice, world.guild_id, "other")
        r = await world.alice.post(f"/api/channels/{other}/messages", json={"content": "keep"})
        keep = r.json()["id"]
        for i in range(8):
            await world.send(world.alice, f"m{i}")
        r = await world.alice.get(f"/api/channels/{other}/messages")
        assert [m["id"] for m in r.json()["messages"]] == [keep]

    async def test_a_deleted_message_takes_its_reactions_and_files(self, world):
        from sqlalchemy import func, select

        from guildhall.models import Attachment, Reaction, Upload
        from tests.messages.factories import make_upload

        up = await make_upload(world.alice)
        first = await world.send(world.alice, "first", files=[up["path"]])
        await world.bob.put(f"/api/messages/{first['id']}/reactions/%F0%9F%91%8D")
        for i in range(5):
            await world.send(world.alice, f"m{i}")
        async with world.rt.transaction(write=False) as tx:
            assert await tx.session.scalar(select(func.count()).select_from(Attachment)) == 0
            assert await tx.session.scalar(select(func.count()).select_from(Reaction)) == 0
            # The upload only it held went with it, stored file too (after commit).
            assert await tx.session.scalar(select(func.count()).select_from(Upload)) == 0
        assert (await world.alice.get(up["path"])).status_code == 404


class TestUnlimited:
    @pytest.fixture
    def settings_overrides(self):
        return {"max_messages_per_channel": 0}

    async def test_zero_keeps_everything(self, world, captured_events):
        for i in range(12):
            await world.send(world.alice, f"m{i}")
        assert len(await history_ids(world)) == 12
        assert captured_events.named("message_deleted") == []


class TestLoweredCap:
    @pytest.fixture
    def settings_overrides(self):
        return {"max_messages_per_channel": 2}

    async def test_a_send_trims_at_most_a_batch(self, world, monkeypatch):
        from guildhall.messages import service

        for i in range(2):
            await world.send(world.alice, f"m{i}")
        monkeypatch.setattr(service, "RETENTION_BATCH", 2)
        # Over the cap by more than a batch: each send trims two, the channel converges.
        async with world.rt.transaction() as tx:
            from guildhall.models import Message

            tx.session.add_all(
                Message(
                    channel_id=world.channel_id,
                    guild_id=world.guild_id,
                    author_id=world.alice.user["id"],
                    content=f"bulk{i}",
                )
                for i in range(3)
            )
        await world.send(world.alice, "a")
        assert len(await history_ids(world)) == 4
        for text in ("b", "c", "d"):
            await world.send(world.alice, text)
        assert len(await history_ids(world)) == 2
