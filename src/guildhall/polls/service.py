"""Polls on messages: create (author only), vote, retract, read. Every change emits
``poll_updated`` (the poll plus ``message_id`` and ``room``) to the channel room."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from guildhall.codes import ErrorCode
from guildhall.errors import AppError, forbidden, invalid
from guildhall.events import ServerEvent, channel_room
from guildhall.kit.parse import string_id
from guildhall.kit.sql import affected
from guildhall.kit.time import utcnow
from guildhall.kit.validation import clean_text
from guildhall.models import Message, Poll, PollOption, PollVote
from guildhall.permissions.resolver import require_message_access, require_not_timed_out
from guildhall.polls.serialize import serialize_polls, user_votes
from guildhall.runtime import Tx

MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_QUESTION = 300
MAX_OPTION = 100
MAX_HOURS = 168


def _conflict() -> AppError:
    return AppError(ErrorCode.CONFLICT, 409, "This message already has a poll")


def _not_found() -> AppError:
    return AppError(ErrorCode.POLL_NOT_FOUND, 404, "Poll not found")


async def _poll_dict(tx: Tx, poll: Poll) -> dict[str, Any]:
    return (await serialize_polls(tx.session, [poll]))[poll.id]


def _emit(tx: Tx, message: Message, data: dict[str, Any]) -> None:
    room = channel_room(message.guild_id, message.channel_id)
    tx.emit(room, ServerEvent.POLL_UPDATED, {**data, "message_id": message.id, "room": room})


async def create(
    tx: Tx,
    user_id: int,
    message_id: int,
    question: str,
    options: list[str],
    allow_multiple: bool = False,
    expires_hours: int = 24,
) -> dict[str, Any]:
    """Attach a poll to one's own message; a message holds at most one (409)."""
    found = await require_message_access(tx, message_id, user_id)
    message = found.message
    assert message is not None
    if message.author_id != user_id:
        raise forbidden(
            ErrorCode.INSUFFICIENT_PERMISSIONS, "Only the message author can add a poll"
        )
    require_not_timed_out(found)
    question = clean_text(question, "question", 1, MAX_QUESTION)
    if len(options) > MAX_OPTIONS:
        raise AppError(
            ErrorCode.LIMIT_REACHED, 400, f"At most {MAX_OPTIONS} options", {"field": "options"}
        )
    if len(options) < MIN_OPTIONS:
        raise invalid("options", f"A poll needs {MIN_OPTIONS}-{MAX_OPTIONS} options")
    texts = [clean_text(o, "options", 1, MAX_OPTION) for o in options]
    if not 1 <= expires_hours <= MAX_HOURS:
        raise invalid("expires_hours", f"expires_hours must be 1-{MAX_HOURS}")
    if await tx.session.scalar(select(Poll.id).where(Poll.message_id == message.id)):
        raise _conflict()

    poll = Poll(
        message_id=message.id,
        question=question,
        allow_multiple=allow_multiple,
        expires_at=utcnow() + timedelta(hours=expires_hours),
    )
    try:
        # The unique message_id settles two racing creators.
        async with tx.session.begin_nested():
            tx.session.add(poll)
            await tx.session.flush()
    except IntegrityError:
        raise _conflict() from None
    tx.session.add_all(
        PollOption(poll_id=poll.id, id=str(i), position=i, text=text)
        for i, text in enumerate(texts, start=1)
    )
    await tx.session.flush()
    data = await _poll_dict(tx, poll)
    _emit(tx, message, data)
    return data


async def _open_poll(tx: Tx, user_id: int, poll_id: str) -> tuple[Poll, Message]:
    """The poll (locked on PostgreSQL so one user's votes do not interleave) and its
    message, if the caller is a member of its guild; 400 POLL_EXPIRED once closed."""
    poll_id = string_id(poll_id, ErrorCode.POLL_NOT_FOUND)
    poll = await tx.session.scalar(select(Poll).where(Poll.id == poll_id).with_for_update())
    if poll is None:
        raise _not_found()
    found = await require_message_access(tx, poll.message_id, user_id)
    message = found.message
    assert message is not None
    require_not_timed_out(found)  # voting and retracting are both votes
    if poll.expires_at <= utcnow():
        raise AppError(ErrorCode.POLL_EXPIRED, 400, "This poll has ended")
    return poll, message


async def _answer(tx: Tx, user_id: int, poll: Poll) -> dict[str, Any]:
    return {
        **(await _poll_dict(tx, poll)),
        "user_votes": await user_votes(tx.session, poll.id, user_id),
    }


async def vote(tx: Tx, user_id: int, poll_id: str, option_id: str | int) -> dict[str, Any]:
    """Vote: a single-choice poll replaces the caller's vote, a multiple-choice poll
    adds the option; voting for an option already chosen changes nothing."""
    poll, message = await _open_poll(tx, user_id, poll_id)
    if isinstance(option_id, bool) or not isinstance(option_id, str | int):
        raise invalid("option_id", "option_id must be a string")
    option = str(option_id)
    exists = None
    # Option ids are "1", "2", ...: anything else is no option (and never reaches SQL).
    if option.isascii() and option.isdigit() and len(option) <= 4:
        exists = await tx.session.scalar(
            select(PollOption.id).where(PollOption.poll_id == poll.id, PollOption.id == option)
        )
    if exists is None:
        raise invalid("option_id", "No such option in this poll")
    mine = await user_votes(tx.session, poll.id, user_id)
    changed = False
    if not poll.allow_multiple and mine and mine != [option]:
        await tx.session.execute(
            delete(PollVote).where(
                PollVote.poll_id == poll.id,
                PollVote.user_id == user_id,
                PollVote.option_id != option,
            )
        )
        changed = True
    if option not in mine:
        changed |= await tx.dialect.insert_ignore(
            tx.session, PollVote, poll_id=poll.id, option_id=option, user_id=user_id
        )
    answer = await _answer(tx, user_id, poll)
    if changed:
        _emit(tx, message, {k: v for k, v in answer.items() if k != "user_votes"})
    return answer


async def retract(tx: Tx, user_id: int, poll_id: str) -> dict[str, Any]:
    """Take back all of the caller's votes on an open poll."""
    poll, message = await _open_poll(tx, user_id, poll_id)
    result = await affected(
        tx.session, delete(PollVote).where(PollVote.poll_id == poll.id, PollVote.user_id == user_id)
    )
    answer = await _answer(tx, user_id, poll)
    if result:
        _emit(tx, message, {k: v for k, v in answer.items() if k != "user_votes"})
    return answer


async def for_message(tx: Tx, user_id: int, message_id: int) -> dict[str, Any]:
    """The message's poll plus ``user_votes``; 404 POLL_NOT_FOUND when it has none."""
    message = (await require_message_access(tx, message_id, user_id)).message
    assert message is not None
    poll = await tx.session.scalar(select(Poll).where(Poll.message_id == message.id))
    if poll is None:
        raise _not_found()
    return await _answer(tx, user_id, poll)
