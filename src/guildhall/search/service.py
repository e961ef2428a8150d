"""Message search (contract sections 9 and 17): words in any script, prefix on the
last word, filters combined with AND, only in channels the caller can see now.

How a search finds its rows cheaply (docs/decisions/search.md):

* The caller's visible channels come first (``permissions.resolver``). None
  visible answers ``[]`` before any index is touched; otherwise every row is
  bounded to those channels.
* Time bounds become id bounds (ids grow with time), so the text index and the
  ``(channel_id, id)`` / ``(author_id, id)`` indexes walk only that range.
* ``has=link`` has its own partial index; ``pinned`` reuses the pins index;
  ``has=file/image/poll`` are index probes per row.
* SQLite walks the text index and asks the ``(author_id, id)`` /
  ``(channel_id, id)`` index about each match's author (and channel, for one
  channel) before reading its row, so only the hits' rows are read.
* PostgreSQL finds words window by window of ids (``search/windows.py``) when the
  scope is wider than one window, then reads the page's rows by id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeAlias

from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    FromClause,
    Select,
    and_,
    bindparam,
    exists,
    func,
    select,
    text,
)
from sqlalchemy.sql.elements import SQLCoreOperations

from guildhall.errors import invalid
from guildhall.guilds.access import guild_for_member
from guildhall.kit.time import iso
from guildhall.models import Attachment, Channel, Message, MessageMention, Poll, Upload, User
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import require_channel_access, visible_channel_ids
from guildhall.runtime import Tx
from guildhall.search import windows
from guildhall.search.engines import Match, highlights, probe_pays, text_search, words

MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 5000
HAS_VALUES = ("file", "image", "link", "poll")
SORTS = ("newest", "oldest", "relevance")

# Messages are numbered as they are stored, with the time taken just before: two
# sends can finish out of order by the length of a transaction. A time bound is
# turned into an id bound this far beyond it, so the id range always holds every
# message of the time range (the time itself is still checked on each row).
CLOCK_SLACK = timedelta(minutes=1)

# Up to this many messages in the channels searched, a short prefix is checked row
# by row from the channel index instead of walking its long posting list (SQLite):
# at most ~0.1 s of probes, where the walk for a user whose channels hold 0.1% of
# 1M messages took ~0.1-0.5 s (docs/decisions/search.md).
SMALL_SCOPE = 2000

# ``sort=relevance`` ranks the newest this many matches (or ``offset + limit`` if
# more): scoring every match made a common word's search grow with the history
# (0.47 s at 1M messages, docs/decisions/search.md).
RELEVANCE_CANDIDATES = 500

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# RFC 3339 with its mandatory offset; a time without one would mean "some zone".
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


# What a hit is read from (search_messages turns each row into the answer).
_HIT_COLUMNS = (
    Message.id,
    Message.content,
    User.username,
    User.display_name,
    Channel.name,
    Message.created_at,
    Message.channel_id,
    Message.guild_id,
)
# A statement reading those columns.
_Hits: TypeAlias = "Select[int, str, str, str | None, str, datetime, int, int | None]"


@dataclass(frozen=True)
class SearchFilters:
    """One search, parsed and validated (all optional but one of ``terms``/filters)."""

    q: str | None = None
    guild_id: int | None = None
    channel_id: int | None = None
    author_id: int | None = None
    mentions: int | None = None
    has: frozenset[str] = field(default_factory=frozenset)
    pinned: bool | None = None
    before: datetime | None = None
    after: datetime | None = None
    sort: str = "newest"
    offset: int = 0
    limit: int = DEFAULT_LIMIT

    def any_filter(self) -> bool:
        return any(
            v is not None
            for v in (
                self.guild_id,
                self.channel_id,
                self.author_id,
                self.mentions,
                self.pinned,
                self.before,
                self.after,
            )
        ) or bool(self.has)


def parse_time_bound(raw: str | None, name: str) -> datetime | None:
    """``before``/``after``: an RFC 3339 time, or a ``YYYY-MM-DD`` date (UTC). A date
    stands for the whole day: ``before`` its start, ``after`` its end."""
    if raw is None or raw == "":
        return None
    try:
        if _DATE.fullmatch(raw):
            day = datetime.combine(date.fromisoformat(raw), time(), tzinfo=UTC)
            # ``after`` is strict: a microsecond (the stored precision) before the
            # next day keeps that day's first instant in.
            return day if name == "before" else day + timedelta(days=1, microseconds=-1)
        if _TIME.fullmatch(raw):
            value = datetime.fromisoformat(raw.upper().replace(" ", "T").replace("Z", "+00:00"))
            return value.astimezone(UTC)
    except (ValueError, OverflowError):
        pass  # 2024-02-30, past year 9999: the same answer as any other bad value
    raise invalid(name, f"{name} must be an RFC 3339 time (with Z or an offset) or YYYY-MM-DD")


def parse_has(values: list[str] | None) -> frozenset[str]:
    out = set()
    for value in values or ():
        if value not in HAS_VALUES:
            raise invalid("has", "has must be one of " + ", ".join(HAS_VALUES))
        out.add(value)
    return frozenset(out)


def parse_pinned(raw: str | None) -> bool | None:
    if raw is None or raw == "":
        return None
    if raw not in ("true", "false"):
        raise invalid("pinned", "pinned must be true or false")
    return raw == "true"


def parse_sort(raw: str | None) -> str:
    if raw is None or raw == "":
        return "newest"
    if raw not in SORTS:
        raise invalid("sort", "sort must be one of " + ", ".join(SORTS))
    return raw


def mentions_condition(user_id: int) -> ColumnElement[bool]:
    """Messages that mention ``user_id`` (``<@id>`` or a reply to them): the stored
    mentions of section 16, looked up by their primary key."""
    return (
        select(MessageMention.message_id)
        .where(
            MessageMention.user_id == user_id,
            MessageMention.channel_id == Message.channel_id,
            MessageMention.message_id == Message.id,
        )
        .exists()
    )


async def search_messages(tx: Tx, user_id: int, f: SearchFilters) -> list[dict[str, Any]]:
    """``[{id, content, username, channel_name, timestamp, channel_id, guild_id,
    highlights}]``: the page ``offset``..``offset+limit`` of the matches."""
    q = f.q if f.q is not None and f.q.strip() else None
    if q is None and not f.any_filter():
        raise invalid("q", "q must not be empty unless a filter is given")
    if q is not None and len(q) > MAX_QUERY_LENGTH:
        raise invalid("q", f"q must be at most {MAX_QUERY_LENGTH} characters")
    terms = words(q) if q is not None else []
    if q is not None and not terms:
        return []  # only punctuation: nothing can match

    channels = await _visible_scope(tx, user_id, f)
    if not channels:
        # Finding 10: nothing visible answers at once, the text index untouched.
        return []

    conditions: list[ColumnExpressionArgument[bool]] = [_in_channels(channels)]
    if f.author_id is not None:
        conditions.append(Message.author_id == f.author_id)
    if f.pinned is not None:
        # Plain ``pinned`` (not ``IS true``): the form the partial pins index states.
        conditions.append(Message.pinned if f.pinned else ~Message.pinned)
    if f.mentions is not None:
        conditions.append(mentions_condition(f.mentions))
    conditions += _has_conditions(tx, f.has)
    found = None
    engine = text_search(tx.dialect)
    if terms:
        # Relevance scores with bm25, which only the FTS cursor has.
        probe = (
            engine.probes
            and f.sort != "relevance"
            and probe_pays(terms)
            and await _scope_is_small(tx, channels)
        )
        found = engine.match(terms, probe)
        if found.indexed is not None:
            # SQLite, text index first: a match's author and channel are asked of
            # their (column, id) indexes before its row is read, so a filter that
            # leaves few matches reads the rows of the hits only (the row's own
            # conditions above still hold; docs/decisions/search.md).
            if f.author_id is not None:
                conditions.append(found.indexed("author_id", f.author_id))
            if len(channels) == 1:
                conditions.append(found.indexed("channel_id", next(iter(channels))))
    ordered_id = found.ordered_id if found else Message.id
    bounds = await _time_bounds(tx, f.before, f.after)
    if bounds is None:
        return []
    conditions += bounds.exact + bounds.on(ordered_id)
    limit = max(1, min(f.limit, MAX_LIMIT))
    relevance = f.sort == "relevance" and found is not None
    walk = None
    if found and engine.walks and not relevance:
        walk = await windows.span(
            tx, _in_channel_ids(channels), bounds.above, bounds.below, f.offset + limit
        )
    stmt: _Hits
    page: list[int] | None = None  # the hits' ids in order, when found by id
    if found and walk:
        # PostgreSQL, words, a wide scope: the ids from id windows
        # (search/windows.py), then the page's rows by id.
        ids = await windows.walk(
            tx, found, conditions, walk, f.offset + limit, oldest=f.sort == "oldest"
        )
        page = ids[f.offset :]
        if not page:
            return []
        stmt = _hits(Message.id.in_(page))
    elif relevance and found:
        stmt = _by_relevance(found, [*conditions, found.condition], f.offset, limit)
    else:
        # newest, oldest, and relevance without words (every row is as relevant)
        order = ordered_id.asc() if f.sort == "oldest" else ordered_id.desc()
        if found:
            conditions.append(found.condition)
        stmt = (
            _hits(*conditions, source=found.source if found else Message.__table__)
            .order_by(order)
            .offset(f.offset)
            .limit(limit)
        )
    rows = list((await tx.session.execute(stmt)).all())
    if page is not None:
        at = {mid: i for i, mid in enumerate(page)}
        rows.sort(key=lambda row: at[row[0]])
    return [
        {
            "id": mid,
            "content": content,
            "username": username,
            "display_name": display_name,
            "channel_name": channel_name,
            "timestamp": iso(created_at),
            "channel_id": cid,
            "guild_id": gid,
            "highlights": highlights(content, terms),
        }
        for mid, content, username, display_name, channel_name, created_at, cid, gid in rows
    ]


def _hits(*where: ColumnExpressionArgument[bool], source: FromClause | None = None) -> _Hits:
    """The hit columns of the messages ``where`` holds, with their authors and
    channels (``source``: what the messages are read from, ``messages`` itself by
    default)."""
    return (
        select(*_HIT_COLUMNS)
        .select_from(Message.__table__ if source is None else source)
        .join(User, User.id == Message.author_id)
        .join(Channel, Channel.id == Message.channel_id)
        .where(*where)
    )


def _by_relevance(
    found: Match, conditions: list[ColumnExpressionArgument[bool]], offset: int, limit: int
) -> _Hits:
    """The page of the newest ``RELEVANCE_CANDIDATES`` matches (at least
    ``offset + limit``), best score first: the text index is walked newest first
    and stops there, so the engine scores those rows only, never every match
    (docs/decisions/search.md)."""
    candidates = (
        select(Message.id.label("id"), found.score.label("score"))
        .select_from(found.source)
        .where(and_(*conditions))
        .order_by(found.ordered_id.desc())
        .limit(max(RELEVANCE_CANDIDATES, offset + limit))
        .subquery("candidates")
    )
    return (
        select(*_HIT_COLUMNS)
        .select_from(candidates)
        .join(Message, Message.id == candidates.c.id)
        .join(User, User.id == Message.author_id)
        .join(Channel, Channel.id == Message.channel_id)
        .order_by(candidates.c.score.asc(), candidates.c.id.desc())
        .offset(offset)
        .limit(limit)
    )


async def _visible_scope(tx: Tx, user_id: int, f: SearchFilters) -> set[int]:
    """The channels this search may read: the caller's visible ones, narrowed by
    ``guild_id``/``channel_id``. A named guild or channel the caller cannot see is
    an error (404 / 403), as everywhere else; one whose history they may not read
    (READ_MESSAGE_HISTORY) holds no hits for them."""
    history = Permission.READ_MESSAGE_HISTORY
    if f.channel_id is not None:
        found = await require_channel_access(tx, f.channel_id, user_id, Permission.VIEW_CHANNEL)
        channel = found.channel
        if f.guild_id is not None and channel.guild_id != f.guild_id:
            await guild_for_member(tx, f.guild_id, user_id)
            return set()
        return {channel.id} if history in found.permissions else set()
    if f.guild_id is not None:
        await guild_for_member(tx, f.guild_id, user_id)
    return await visible_channel_ids(tx, user_id, f.guild_id, need=history)


async def _scope_is_small(tx: Tx, channels: set[int]) -> bool:
    """Whether the channels hold at most SMALL_SCOPE messages (their trigger-kept
    counts, migration 0003: one row read per channel)."""
    total = await tx.session.scalar(
        select(func.coalesce(func.sum(Channel.message_count), 0)).where(_in_channel_ids(channels))
    )
    return int(total or 0) <= SMALL_SCOPE


def _in_channel_ids(channels: set[int]) -> ColumnElement[bool]:
    return Channel.id.in_(
        bindparam("scope_channels", sorted(channels), expanding=True, literal_execute=True)
    )


def _in_channels(channels: set[int]) -> ColumnElement[bool]:
    if len(channels) == 1:
        return Message.channel_id == next(iter(channels))
    # Inline integers, not one bound parameter each: a member of many guilds can see
    # more channels than SQLite takes parameters, and the values are ours, not input.
    return Message.channel_id.in_(
        bindparam("visible_channels", sorted(channels), expanding=True, literal_execute=True)
    )


def _has_conditions(tx: Tx, has: frozenset[str]) -> list[ColumnExpressionArgument[bool]]:
    out: list[ColumnExpressionArgument[bool]] = []
    if "file" in has and "image" not in has:  # an image is a file
        out.append(exists().where(Attachment.message_id == Message.id))
    if "image" in has:
        out.append(
            exists()
            .where(Attachment.message_id == Message.id)
            .where(Upload.id == Attachment.upload_id, Upload.mimetype.startswith("image/"))
        )
    if "poll" in has:
        out.append(exists().where(Poll.message_id == Message.id))
    if "link" in has:
        # Written exactly as the partial index ix_messages_links says it, so both
        # planners may answer it from that index (migration 0006).
        out.append(text(text_search(tx.dialect).link_predicate))
    return out


@dataclass(frozen=True)
class _TimeBounds:
    """``before``/``after`` as conditions: the exact times, checked per row, and
    the id range that holds them (ids are exclusive bounds, ``None``: open)."""

    exact: list[ColumnElement[bool]]
    above: int | None
    below: int | None

    def on(self, ordered_id: SQLCoreOperations[int]) -> list[ColumnElement[bool]]:
        """The id range on the id the search walks (the FTS rowid on SQLite: a
        range FTS5 seeks to)."""
        out = []
        if self.above is not None:
            out.append(ordered_id > self.above)
        if self.below is not None:
            out.append(ordered_id < self.below)
        return out


async def _time_bounds(
    tx: Tx, before: datetime | None, after: datetime | None
) -> _TimeBounds | None:
    """The time bounds with the id range that holds them; ``None``: nothing can match."""
    if before is not None and after is not None and after >= before:
        return None
    exact: list[ColumnElement[bool]] = []
    above = below = None
    if before is not None:
        exact.append(Message.created_at < before)
        # The first message stored well after ``before``: everything older than the
        # bound has a smaller id (see CLOCK_SLACK). None near the end of time.
        if before < datetime.max.replace(tzinfo=UTC) - CLOCK_SLACK:
            below = await tx.session.scalar(
                select(Message.id)
                .where(Message.created_at >= before + CLOCK_SLACK)
                .order_by(Message.created_at.asc())
                .limit(1)
            )
    if after is not None:
        exact.append(Message.created_at > after)
        if after > datetime.min.replace(tzinfo=UTC) + CLOCK_SLACK:
            above = await tx.session.scalar(
                select(Message.id)
                .where(Message.created_at <= after - CLOCK_SLACK)
                .order_by(Message.created_at.desc())
                .limit(1)
            )
    return _TimeBounds(exact, above, below)
