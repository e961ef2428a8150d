"""Statements past SQLAlchemy's execution (guildhall/sqlite_direct.py, ``Tx.rows``):
on SQLite's inline connections the same rows, conversions and exceptions as
SQLAlchemy's own path; everywhere else, SQLAlchemy's path itself."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from guildhall import sqlite_direct
from guildhall.models import Message, User
from tests.conftest import BACKEND

# What this module tests exists only on SQLite (its inline connections); on
# PostgreSQL Tx.rows is SQLAlchemy's own execution, which every other test runs.
pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite",
    reason="sqlite_direct runs only on SQLite's inline connections; on PostgreSQL "
    "Tx.rows is SQLAlchemy's own path, covered by the rest of the suite",
)

_USERS = cast(Table, User.__table__)
_BY_NAME = select(_USERS.c.id, _USERS.c.username, _USERS.c.created_at).where(
    _USERS.c.username == bindparam("name")
)
_MESSAGES = cast(Table, Message.__table__)
_INSERT = insert(_MESSAGES).returning(_MESSAGES.c.id)
_MESSAGE = select(
    _MESSAGES.c.id,
    _MESSAGES.c.content,
    _MESSAGES.c.created_at,
    _MESSAGES.c.edited_at,
    _MESSAGES.c.pinned,
    _MESSAGES.c.nonce,
    _MESSAGES.c.mention_everyone,
).where(_MESSAGES.c.id == bindparam("id"))
# A value the statement holds itself, besides the caller's.
_PINNED_OF = select(_MESSAGES.c.id).where(
    _MESSAGES.c.channel_id == bindparam("channel_id"), _MESSAGES.c.pinned.is_(False)
)
# Expanding IN: a plan per length of the list.
_ANY_OF = select(_MESSAGES.c.id).where(_MESSAGES.c.id.in_(bindparam("ids", expanding=True)))
# A literal the caller gives (rendered into the SQL): never planned.
_LITERAL = select(_MESSAGES.c.id).where(_MESSAGES.c.id == bindparam("id", literal_execute=True))


@pytest.fixture
async def channel(rt, alice) -> dict[str, Any]:
    guild = (await alice.post("/api/guilds", json={"name": "g"})).json()
    r = await alice.post(f"/api/guilds/{guild['id']}/channels", json={"name": "c"})
    assert r.status_code == 201, r.text
    return {"id": r.json()["id"], "guild_id": guild["id"], "author_id": alice.user["id"]}


def row(channel: dict[str, Any], content: str, **more: Any) -> dict[str, Any]:
    values = {
        "channel_id": channel["id"],
        "guild_id": channel["guild_id"],
        "author_id": channel["author_id"],
        "content": content,
        "created_at": datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        "edited_at": None,
        "pinned": False,
        "nonce": None,
        "reply_to_id": None,
        "mention_user_ids": None,
        "mention_role_ids": None,
        "mention_everyone": False,
    }
    return values | more


async def both(tx: Any, stmt: Any, params: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """The rows of ``stmt`` through sqlite_direct, and through SQLAlchemy."""
    direct = [tuple(r) for r in (await tx.rows(stmt, params)).all()]
    usual = [tuple(r) for r in (await tx.session.execute(stmt, params)).all()]
    return direct, usual


async def test_rows_and_conversions_match_sqlalchemy(rt, alice, channel):
    async with rt.transaction() as tx:
        first = (await tx.rows(_INSERT, row(channel, "plain"))).scalar()
        edited = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)
        second = (
            await tx.rows(
                _INSERT, row(channel, "ünïcode ✓", edited_at=edited, pinned=True, nonce="n1")
            )
        ).scalar()
    assert second == first + 1
    async with rt.transaction(write=False, brief=True) as tx:
        for mid in (first, second):
            direct, usual = await both(tx, _MESSAGE, {"id": mid})
            assert direct == usual and len(direct) == 1
        direct, usual = await both(tx, _BY_NAME, {"name": alice.user["username"]})
        assert direct == usual == [(alice.user["id"], alice.user["username"], usual[0][2])]
        assert direct[0][2].tzinfo is UTC  # UTCDateTime's conversion, as the ORM's
        (_, content, created, edited_at, pinned, nonce, everyone) = (
            await tx.rows(_MESSAGE, {"id": second})
        ).first()
    assert (content, pinned, nonce, everyone) == ("ünïcode ✓", True, "n1", False)
    assert created == datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert edited_at == edited
    # Stored as SQLAlchemy stores them: the usual path reads them back the same.
    async with rt.transaction(write=False) as tx:
        stored = await tx.session.get(Message, second)
        assert stored is not None and stored.edited_at == edited and stored.pinned is True


async def test_the_direct_path_is_taken_where_it_may_be(rt, channel, monkeypatch):
    ran: list[str] = []
    real = sqlite_direct.run

    def spy(conn: sqlite3.Connection, found: Any, params: Any) -> Any:
        ran.append(found.sql)
        return real(conn, found, params)

    monkeypatch.setattr(sqlite_direct, "run", spy)
    async with rt.transaction() as tx:  # the writer
        mid = (await tx.rows(_INSERT, row(channel, "w"))).scalar()
    async with rt.transaction(write=False, brief=True) as tx:  # a brief read
        assert (await tx.rows(_MESSAGE, {"id": mid})).first()[1] == "w"
        # A value held by the statement (pinned IS false, no parameter there) and
        # the caller's: both in their place.
        assert [r[0] for r in (await tx.rows(_PINNED_OF, {"channel_id": channel["id"]})).all()] == [
            mid
        ]
        # Expanding IN, of two, one and no ids: planned per length.
        for ids, found in (([mid, mid + 99], [mid]), ([mid], [mid]), ([], [])):
            assert [r[0] for r in (await tx.rows(_ANY_OF, {"ids": ids})).all()] == found
        # The caller's literal: SQLAlchemy's path, the same answer.
        assert (await tx.rows(_LITERAL, {"id": mid})).scalar() == mid
    assert len(ran) == 6 and ran[0].startswith("INSERT INTO messages")
    assert "IN (?, ?)" in ran[3] and "IN (?)" in ran[4]
    ran.clear()
    async with rt.transaction(write=False) as tx:  # pooled, on aiosqlite's thread
        assert (await tx.rows(_MESSAGE, {"id": mid})).first()[1] == "w"
    assert ran == []


async def test_an_insert_is_compiled_for_the_columns_given(rt, channel):
    """As SQLAlchemy does: an INSERT sets the columns its parameters name, so one
    statement with two sets of names is two plans; where the rest have Python-side
    defaults (``pinned``), SQLAlchemy's path runs it and fills them in."""
    full = row(channel, "all columns")
    lean = {k: full[k] for k in ("channel_id", "guild_id", "author_id", "content", "created_at")}
    async with rt.transaction() as tx:
        a = (await tx.rows(_INSERT, full)).scalar()
        b = (await tx.rows(_INSERT, lean | {"content": "five columns"})).scalar()
    async with rt.transaction(write=False, brief=True) as tx:
        got = {r[0]: r[1:] for r in [(await tx.rows(_MESSAGE, {"id": m})).first() for m in (a, b)]}
    assert got[b][0] == "five columns" and got[b][3] is False  # pinned: the column default
    assert got[a][0] == "all columns"


async def test_errors_are_sqlalchemys_and_leave_the_transaction_usable(rt, channel):
    async with rt.transaction() as tx:
        await tx.rows(_INSERT, row(channel, "one", nonce="same"))
        with pytest.raises(IntegrityError):  # unique (channel, author, nonce)
            async with tx.session.begin_nested():
                await tx.rows(_INSERT, row(channel, "two", nonce="same"))
        await tx.rows(_INSERT, row(channel, "three", nonce="other"))
    async with rt.transaction(write=False) as tx:
        contents = (
            await tx.session.execute(
                select(Message.content).where(Message.channel_id == channel["id"])
            )
        ).scalars()
        assert sorted(contents) == ["one", "three"]


async def test_many_parameter_sets(rt, channel):
    sets = [row(channel, f"m{i}", created_at=datetime.now(UTC) + timedelta(i)) for i in range(5)]
    async with rt.transaction() as tx:
        await tx.rows(insert(_MESSAGES), sets)
    async with rt.transaction(write=False, brief=True) as tx:
        stored = (
            await tx.session.execute(
                select(Message.content, Message.created_at)
                .where(Message.channel_id == channel["id"])
                .order_by(Message.id)
            )
        ).all()
    assert [tuple(r) for r in stored] == [(s["content"], s["created_at"]) for s in sets]


def test_plans_are_kept_per_statement_and_bounded(rt):
    plans = sqlite_direct.Plans(rt.db.engine.sync_engine.dialect)
    a = plans.get(_MESSAGE, {"id": 1})
    assert a is not None and plans.get(_MESSAGE, {"id": 2}) is a
    assert plans.get(_LITERAL, {"id": 1}) is None  # not plannable, remembered as such
    one, two = plans.get(_ANY_OF, {"ids": [1]}), plans.get(_ANY_OF, {"ids": [1, 2]})
    assert one is not None and two is not None and one is not two
    assert plans.get(_ANY_OF, {"ids": [3]}) is one
    assert one.args({"ids": [7]}) == (7,) and two.args({"ids": [7, 8]}) == (7, 8)
    for _ in range(sqlite_direct.MAX_PLANS + 10):  # new statements each call
        plans.get(select(_MESSAGES.c.id).where(_MESSAGES.c.id == bindparam("id")), {"id": 1})
    assert len(plans._shapes) <= sqlite_direct.MAX_PLANS
