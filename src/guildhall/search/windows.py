"""PostgreSQL: a search with words looks for its page in id windows first, newest
(or oldest) ids first, checking the words on each row, so a common word's page
costs the page and not its matches.

The planner estimates a tsquery's matches from per-word statistics and multiplies
them (``hello wor``: 85-112 estimated, 10,000 true at 1M messages), then takes
the GIN bitmap of every match, reads them all and sorts them (78-163 ms), or
joins "two rows" by nested loops (``example`` + ``has=link``: 3 s). Asking the
GIN index for a window does not help: its bitmap is of every match, whatever the
window (13-45 ms for ``hello:*`` or ``wor:*``). So:

* :func:`span` reads, in one statement, the id range searched (the time bounds'
  id bounds applied) and the scope's share of all messages (the channels'
  trigger-kept counts). The first window holds about ``IDS_PER_HIT`` ids of the
  scope per wanted hit. ``None`` when that window would cover the whole range
  (a small scope) or the range holds fewer than ``MIN_ROWS`` of the scope's
  messages (a small database): the single statement of before is as cheap.
* :func:`walk` reads windows growing ``GROWTH`` times, the words checked per row
  (``Match.per_row``) on whatever index walks the window (the primary key,
  ``(channel_id, id)``, ``(author_id, id)``, the links index), each asking only
  for the hits still missing, until the page is found or the next window would
  take the rows covered past ``SCAN_ROWS`` of the scope (a few ms). Then one statement over
  the rest of the range asks for the hits still missing. The windows measured how
  often the words (and filters) hold: when the hits found so far predict that the
  rest holds few matches (:func:`text_index_first`: a rare word, a word the text
  never uses, a filter that leaves few of its matches), that statement reads every
  match of the rest through the text index first (a ``MATERIALIZED`` CTE: 0.1 ms
  for a word with no match, where the planner, expecting ~1,400 matches, walked
  the primary key through all 1M rows for 0.3 s) and orders those; otherwise (a
  common word needing many hits, ``sort=oldest&offset=1000``) the planner's own
  plan, which walks the id order and stops at the page. Either is planned with
  its values (``plan_cache_mode``), never as a prepared statement's generic plan.

The hits are then read by id (``service``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, ColumnExpressionArgument, func, label, select

from guildhall.models import Channel, Message
from guildhall.runtime import Tx
from guildhall.search.engines import Match

# The first window holds this many of the scope's ids per hit wanted: enough when
# one message in 200 of the scope matches (``hello wor`` at 1M messages: 1 in
# 100), a 4,200-id window for a page of 20 over every channel.
IDS_PER_HIT: float = 200.0
# Each next window is this many times wider.
GROWTH = 4
# At most this many of the scope's rows are checked word by word before the rest
# is left to the text index (at ~0.25-0.35 us a row, 2-3 ms): a page of 20 or 40
# of a word in 1% of the messages.
SCAN_ROWS: float = 8192.0
# A range holding fewer of the scope's messages is searched by the single
# statement: all of a word's matches there are at most that many rows (``hello
# wor`` at 10k messages: 0.5 ms, where the windows took 0.8-1 ms).
MIN_ROWS: float = 50_000.0
# Reading one match of the rest through the text index (its posting list, the
# bitmap, the row fetched and rechecked, the sort) costs about this many ids walked
# in order with the words checked per row: 2.4-5.8 us a match (``hello``: 10,000
# matches, warm and cold) against 0.22-0.33 us an id (EXPLAIN ANALYZE at 1M
# messages; docs/decisions/search.md).
MATCH_COST_IDS: float = 16.0


@dataclass(frozen=True)
class Span:
    """The ids a walk covers (inclusive), the width of its first window, and the
    scope's share of the ids (its rows per id)."""

    low: int
    high: int
    first: int
    density: float


async def span(
    tx: Tx, scope: ColumnElement[bool], above: int | None, below: int | None, need: int
) -> Span | None:
    """Where a walk for ``need`` hits starts, or ``None`` when one window would
    cover every id anyway. ``scope``: the searched channels (a ``channels``
    condition); ``above``/``below``: the time bounds' exclusive id bounds."""
    id_bounds = []
    if above is not None:
        id_bounds.append(Message.id > above)
    if below is not None:
        id_bounds.append(Message.id < below)
    row = (
        await tx.session.execute(
            select(
                select(func.min(Message.id)).scalar_subquery(),
                select(func.max(Message.id)).scalar_subquery(),
                select(func.min(Message.id)).where(*id_bounds).scalar_subquery(),
                select(func.max(Message.id)).where(*id_bounds).scalar_subquery(),
                select(func.coalesce(func.sum(Channel.message_count), 0))
                .where(scope)
                .scalar_subquery(),
            )
        )
    ).one()
    first_id, last_id, low, high, in_scope = row
    if low is None or high is None or not in_scope:
        return None
    # The scope's messages are spread over every id: a scope holding 1% of them
    # needs windows 100 times wider for the same number of hits.
    density = min(1.0, int(in_scope) / (last_id - first_id + 1))
    width = max(1, math.ceil(need * IDS_PER_HIT / density))
    if width > high - low or (high - low + 1) * density < MIN_ROWS:
        return None
    return Span(low=low, high=high, first=width, density=density)


async def walk(
    tx: Tx,
    match: Match,
    conditions: Sequence[ColumnExpressionArgument[bool]],
    where: Span,
    need: int,
    oldest: bool = False,
) -> list[int]:
    """The first ``need`` ids matching ``match`` and ``conditions``, newest first
    (``oldest``: oldest first), from one end of ``where``: windows checked row by
    row, then the rest with the text index, either every match of it first or in
    the planner's id order (:func:`text_index_first`). The windows bound the id the
    text index walks (``match.ordered_id``)."""
    ordered_id = match.ordered_id
    order = ordered_id.asc() if oldest else ordered_id.desc()
    found: list[int] = []

    async def read(*window: ColumnExpressionArgument[bool]) -> None:
        rows = await tx.session.scalars(
            select(ordered_id)
            .select_from(match.source)
            .where(*conditions, *window)
            .order_by(order)
            .limit(need - len(found))
        )
        found.extend(rows)

    # Ids the row-by-row windows may cover: SCAN_ROWS rows of the scope. A window
    # that would pass it is not read (one statement fewer for a rare word).
    budget = max(1, math.floor(SCAN_ROWS / where.density))
    width = min(where.first, budget)
    near = where.low if oldest else where.high  # the next window starts here
    while width <= budget:
        # (near - width, near] newest first, [near, near + width) oldest first; the
        # last one is the rest of the range, open on its far side (the
        # conditions hold the time bounds).
        if oldest:
            edge = near + width
            last = edge > where.high
            await read(match.row_check, ordered_id >= near, *([] if last else [ordered_id < edge]))
        else:
            edge = near - width
            last = edge < where.low
            await read(match.row_check, ordered_id <= near, *([] if last else [ordered_id > edge]))
        if last or len(found) >= need:
            return found
        near, budget, width = edge, budget - width, width * GROWTH
    # The rest, [near, high] oldest first or [low, near] newest first.
    rest = ordered_id >= near if oldest else ordered_id <= near
    if oldest:
        covered, left = near - where.low, where.high - near + 1
    else:
        covered, left = where.high - near, near - where.low + 1
    if tx.dialect.name == "postgresql":
        # The rest's plan hangs on its values (the word, the channel, the id
        # bound), and asyncpg prepares every statement: from its sixth run on a
        # connection PostgreSQL may keep a generic plan, planned without them,
        # that ANDs the text index with the primary key's or a channel's whole
        # range (45-56 ms for a rare word, 0.6 s for a word never used, against
        # 0.4-0.6 ms and 0.1 ms planned with them). Planned with them, always,
        # for the rest of this transaction (the statement that reads the page).
        await tx.session.execute(
            select(func.set_config("plan_cache_mode", "force_custom_plan", True))
        )
    if text_index_first(len(found), need - len(found), covered, left, where.density):
        # Every match of the rest from the text index (the fence keeps the
        # planner from walking the id order instead), then the first of them.
        matches = (
            select(label("id", ordered_id))
            .select_from(match.source)
            .where(*conditions, match.condition, rest)
            .cte("matches")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        first = matches.c.id.asc() if oldest else matches.c.id.desc()
        rows = await tx.session.scalars(
            select(matches.c.id).order_by(first).limit(need - len(found))
        )
        found.extend(rows)
        return found
    # Many matches left: the planner's own plan walks the id order and stops at
    # the page.
    await read(match.condition, rest)
    return found


def text_index_first(found: int, missing: int, covered: int, left: int, density: float) -> bool:
    """Whether the rest of a walk is cheaper through the text index first: the
    ``found`` hits in the ``covered`` ids of the windows predict
    ``found * left / covered`` hits in the ``left`` ids of the rest, about that
    over ``density`` matches of the words anywhere (the text index holds every
    channel), each costing ``MATCH_COST_IDS``; walking the ids in order costs the
    ``missing * covered / found`` ids that hold the hits still missing. None
    found: the text index (a word the scope's newest rows never use)."""
    if found == 0:
        return True
    matches = found * left / covered / density
    walked = missing * covered / found
    return MATCH_COST_IDS * matches < walked
