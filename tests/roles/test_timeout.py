"""MEMBER_TIMED_OUT: a member whose communication_disabled_until is ahead reads
but does not send, edit, react, pin, vote or invite (the column is set directly:
the timeout endpoint is moderation's)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from guildhall.kit.time import utcnow
from guildhall.models import Member
from tests.conftest import assert_error


async def time_out(rt, guild_id: int, user_id: int, minutes: int = 10) -> None:
    async with rt.transaction() as tx:
        await tx.session.execute(
            update(Member)
            .where(Member.guild_id == guild_id, Member.user_id == user_id)
            .values(communication_disabled_until=utcnow() + timedelta(minutes=minutes))
        )


class TestTimedOut:
    async def test_refused_actions_and_allowed_reads(self, rt, g):
        c = g.channel
        mine = (await g.bob.post(f"/api/channels/{c}/messages", json={"content": "x"})).json()
        poll = await g.bob.post(
            f"/api/messages/{mine['id']}/poll", json={"question": "q", "options": ["a", "b"]}
        )
        assert poll.status_code == 201, poll.text
        await time_out(rt, g.id, g.bob.user["id"])
        listed = (await g.alice.get(f"/api/guilds/{g.id}/members")).json()
        bob = next(m for m in listed if m["id"] == g.bob.user["id"])
        assert bob["communication_disabled_until"] is not None
        thumbs = "%F0%9F%91%8D"
        for r in (
            await g.bob.post(f"/api/channels/{c}/messages", json={"content": "y"}),
            await g.bob.put(f"/api/messages/{mine['id']}", json={"content": "z"}),
            await g.bob.put(f"/api/messages/{mine['id']}/reactions/{thumbs}"),
            await g.bob.post(f"/api/messages/{mine['id']}/pin"),
            await g.bob.post(f"/api/polls/{poll.json()['id']}/vote", json={"option_id": "1"}),
            await g.bob.post(f"/api/guilds/{g.id}/invites", json={}),
        ):
            assert_error(r, 403, "MEMBER_TIMED_OUT")
        assert (await g.bob.get(f"/api/channels/{c}/messages")).status_code == 200
        assert (await g.bob.delete(f"/api/messages/{mine['id']}")).status_code == 200

    async def test_a_past_timeout_is_over(self, rt, g):
        await time_out(rt, g.id, g.bob.user["id"], minutes=-1)
        r = await g.bob.post(f"/api/channels/{g.channel}/messages", json={"content": "y"})
        assert r.status_code == 201
