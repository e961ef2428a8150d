"""SQLite, text index first: a match's author (``author_id``) and channel (a
search over one channel) are asked of their ``(column, id)`` indexes before the
match's row is read (engines._sqlite_indexed). It only adds conditions the row's
own already imply, so every search must answer exactly what it answers without
them, hit for hit and in order; PostgreSQL never uses them."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import event

from guildhall.search import engines, service
from tests.search.test_filters import ids
from tests.search.test_windows import _answers, _history, _searches


class _Unindexed(engines.TextSearch):
    """The engine as before: the row alone tested for author and channel."""

    def match(self, terms: list[str], probe: bool = False) -> engines.Match:
        return dataclasses.replace(super().match(terms, probe), indexed=None)


def _unindexed(monkeypatch: Any) -> None:
    def text_search(dialect: Any) -> engines.TextSearch:
        return _Unindexed(**dataclasses.asdict(engines.text_search(dialect)))

    monkeypatch.setattr(service, "text_search", text_search)


def _checks(monkeypatch: Any) -> list[tuple[str, int]]:
    """The index checks the searches ask for, recorded."""
    seen: list[tuple[str, int]] = []
    indexed = engines._sqlite_indexed

    def recording(column: str, value: int) -> Any:
        seen.append((column, value))
        return indexed(column, value)

    monkeypatch.setattr(engines, "_sqlite_indexed", recording)
    return seen


class TestSameHits:
    async def test_every_filter_and_page(self, world, monkeypatch):
        h = await _history(world)
        searches = _searches(h)
        with monkeypatch.context() as plain_engine:
            _unindexed(plain_engine)
            plain = await _answers(world, searches)
        # The plain answers are real ones, not a run of empty lists.
        assert plain[0] == h["sent"][::-1]
        assert sum(1 for hits in plain if hits) > len(searches) * 3 // 4

        checks = _checks(monkeypatch)
        indexed = await _answers(world, searches)
        for params, want, got in zip(searches, plain, indexed, strict=True):
            assert got == want, params
        # SQLite asked the author index in every search naming an author and the
        # channel index in every search of one channel (alice sees two); words
        # everywhere, none a short prefix, so the text index led each one.
        if world.rt.db.dialect.name == "sqlite":
            want_checks = [("author_id", p["author_id"]) for p in searches if "author_id" in p]
            want_checks += [("channel_id", p["channel_id"]) for p in searches if "channel_id" in p]
            assert sorted(checks) == sorted(want_checks)
            assert len(want_checks) > 30
        else:
            assert checks == []


class TestThePlan:
    async def test_the_author_index_is_asked_before_the_row(self, world):
        """The point of the check: SQLite tests it in the text index's loop, on the
        covering author index, and reads the message's row only after it."""
        for _ in range(3):
            await world.send(world.alice, "hello there")
            await world.send(world.bob, "hello again")
        statements: list[tuple[str, Any]] = []
        engine = world.rt.db.engine.sync_engine

        def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            if "ORDER BY" in statement and "LIMIT" in statement:
                statements.append((statement, params))

        event.listen(engine, "before_cursor_execute", capture)
        try:
            bob = world.bob.user["id"]
            assert len(await ids(world.alice, q="hello", author_id=bob)) == 3
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        (statement, params), *_ = statements
        if world.rt.db.dialect.name != "sqlite":
            assert "messages_fts" not in statement and "INDEXED BY" not in statement
            return
        async with world.rt.db.engine.connect() as conn:
            plan = [
                row[3]
                for row in await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
            ]
        text_walk = next(i for i, step in enumerate(plan) if "messages_fts" in step)
        author = plan.index(
            "SEARCH author_id_seek USING COVERING INDEX ix_messages_author_id_id "
            "(author_id=? AND id=? AND rowid=?)"
        )
        row = plan.index("SEARCH messages USING INTEGER PRIMARY KEY (rowid=?)")
        assert text_walk < author < row, plan
