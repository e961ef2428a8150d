"""The poll shape of the contract, built for many polls in a constant number of queries.

``{id, message_id, question, options: [{id, text, votes}], expires_at, allow_multiple}``
(``message_id`` is an addition). The message serializer embeds it as ``poll``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from guildhall.kit.time import iso
from guildhall.models import Poll, PollOption, PollVote


async def serialize_polls(
    session: AsyncSession, polls: Sequence[Poll]
) -> dict[str, dict[str, Any]]:
    """Poll dicts by poll id: two queries (options, grouped vote counts) for any number."""
    if not polls:
        return {}
    ids = [p.id for p in polls]
    options = (
        await session.execute(
            select(PollOption.poll_id, PollOption.id, PollOption.text)
            .where(PollOption.poll_id.in_(ids))
            .order_by(PollOption.poll_id, PollOption.position)
        )
    ).all()
    counts = {
        (poll_id, option_id): n
        for poll_id, option_id, n in (
            await session.execute(
                select(PollVote.poll_id, PollVote.option_id, func.count())
                .where(PollVote.poll_id.in_(ids))
                .group_by(PollVote.poll_id, PollVote.option_id)
            )
        ).all()
    }
    by_poll: dict[str, list[dict[str, Any]]] = {pid: [] for pid in ids}
    for poll_id, option_id, text in options:
        by_poll[poll_id].append(
            {"id": option_id, "text": text, "votes": counts.get((poll_id, option_id), 0)}
        )
    return {
        p.id: {
            "id": p.id,
            "message_id": p.message_id,
            "question": p.question,
            "options": by_poll[p.id],
            "expires_at": iso(p.expires_at),
            "allow_multiple": p.allow_multiple,
        }
        for p in polls
    }


async def polls_by_message(
    session: AsyncSession, message_ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """The poll of each message that has one, keyed by message id."""
    if not message_ids:
        return {}
    polls = (
        (await session.execute(select(Poll).where(Poll.message_id.in_(message_ids))))
        .scalars()
        .all()
    )
    dicts = await serialize_polls(session, polls)
    return {p.message_id: dicts[p.id] for p in polls}


async def user_votes(session: AsyncSession, poll_id: str, user_id: int) -> list[str]:
    """The option ids the user voted for, in option order."""
    rows = await session.execute(
        select(PollVote.option_id)
        .join(
            PollOption,
            (PollOption.poll_id == PollVote.poll_id) & (PollOption.id == PollVote.option_id),
        )
        .where(PollVote.poll_id == poll_id, PollVote.user_id == user_id)
        .order_by(PollOption.position)
    )
    return list(rows.scalars().all())
