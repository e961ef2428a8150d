"""Full-text matching, the one place where SQLite and PostgreSQL differ for search.

Both engines get the same words, already split and quoted here, so nothing the
user types is ever read as query syntax (``NEAR``, ``OR``, ``-``, ``:*``, ``"``):

* SQLite: the external-content FTS5 table ``messages_fts`` (migration 0002),
  ``MATCH '"w1" "w2" "w3"*'``, walked newest first by rowid (= message id).
* PostgreSQL: the generated ``messages.search`` tsvector with its GIN index,
  ``@@ to_tsquery('simple', '''w1'' & ''w2'' & ''w3'':*')``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    ColumnExpressionArgument,
    FromClause,
    Integer,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    table,
    text,
    true,
)
from sqlalchemy.sql.elements import SQLCoreOperations

from guildhall.dialects import Dialect
from guildhall.models import Message
from guildhall.models.message import LINK_POSTGRES, LINK_SQLITE


def words(query: str) -> list[str]:
    """Split like FTS5's ``unicode61``: spaces, punctuation and controls separate
    words, everything else (letters, digits, marks, symbols) belongs to one.
    Quote characters and backslashes are punctuation, so no word contains them."""
    out: list[str] = []
    current: list[str] = []
    for ch in query:
        if unicodedata.category(ch)[0] in "ZPC":
            if current:
                out.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        out.append("".join(current))
    return out


def _fold(word: str) -> str:
    """A word as both engines compare it: case-folded, diacritics dropped (what
    ``unicode61 remove_diacritics 2`` does; PostgreSQL's ``simple`` only folds case,
    so a highlight may be wider there, never narrower)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def highlights(content: str, terms: list[str]) -> list[str]:
    """The words of ``content`` that ``terms`` matched, as written there, each once,
    in the order they appear: every term whole, the last one as a prefix (the
    engines' own rule, see :func:`match`)."""
    if not terms:
        return []
    whole = {_fold(t) for t in terms[:-1]}
    prefix = _fold(terms[-1])
    out: list[str] = []
    for word in words(content):
        folded = _fold(word)
        if (folded in whole or folded.startswith(prefix)) and word not in out:
            out.append(word)
    return out


@dataclass(frozen=True)
class Match:
    """How to find messages matching words: where to select from (it includes
    ``messages``), the condition, the id column the text index walks in order
    (so a LIMIT stops early), and the engine's relevance as a score where smaller
    is better (sorted ascending on both engines)."""

    source: FromClause
    condition: ColumnExpressionArgument[bool]  # SQLite: a text() MATCH
    ordered_id: SQLCoreOperations[int]  # a column, or the mapped Message.id
    score: ColumnElement[float] | ColumnElement[int]
    # The condition in a form no text index serves, checked on each row another
    # index walks (PostgreSQL's id windows, search/windows.py); None: ``condition``.
    per_row: ColumnExpressionArgument[bool] | None = None
    # SQLite's text-led plan: ``indexed(column, value)`` is ``column = value``
    # checked on that column's ``(column, id)`` index for each match, before the
    # match's row is read (:func:`_sqlite_indexed`); None: the engine has no need.
    indexed: Callable[[str, int], ColumnExpressionArgument[bool]] | None = None

    @property
    def row_check(self) -> ColumnExpressionArgument[bool]:
        return self.condition if self.per_row is None else self.per_row


def _sqlite(terms: list[str]) -> Match:
    expr = " ".join(f'"{w}"' for w in terms) + "*"  # prefix on the last word only
    fts = table("messages_fts", column("rowid"), column("rank"))
    return Match(
        source=fts.join(Message.__table__, Message.id == fts.c.rowid),
        condition=text("messages_fts MATCH :fts_query").bindparams(fts_query=expr),
        # Ordering by the FTS rowid lets FTS5 walk its index (either way) and stop early;
        # a rowid range (the time bounds) is a range of that walk, not a filter.
        ordered_id=fts.c.rowid,
        score=fts.c.rank,  # bm25: more negative is better
        indexed=_sqlite_indexed,
    )


# The ``(column, id)`` index of each filter an FTS5-led search may check per match.
_FILTER_INDEXES = {
    "author_id": "ix_messages_author_id_id",
    "channel_id": "ix_messages_channel_id_id",
}


def _sqlite_indexed(column: str, value: int) -> ColumnExpressionArgument[bool]:
    """``column = value`` for the message FTS5 hands out, asked of the column's
    ``(column, id)`` index (one seek in a few pages that stay cached) instead of
    the message's row. The text index walks its matches newest first and SQLite
    reads each match's row to test the filters: at 1M messages ``hello`` +
    ``author_id`` read ~1,750 rows scattered over the table for a page of 20, each
    a miss of the 2 MiB page cache (2.0 ms; 0.65 ms this way, the same rows read
    only for the hits). The condition names ``messages_fts.rowid`` alone, so
    SQLite tests it in the text index's loop, before it reads the row; ``INDEXED
    BY``: left to itself the planner looks the id up by primary key, the very read
    this avoids. The same condition on the row still holds (this only adds)."""
    alias = f"{column}_seek"
    return text(
        f"EXISTS (SELECT 1 FROM messages AS {alias} INDEXED BY {_FILTER_INDEXES[column]} "
        f"WHERE {alias}.{column} = :{alias} AND {alias}.id = messages_fts.rowid)"
    ).bindparams(bindparam(alias, value, type_=Integer))


def _postgres(terms: list[str]) -> Match:
    lexemes = [f"'{w}'" for w in terms]
    lexemes[-1] += ":*"
    query = func.to_tsquery("simple", " & ".join(lexemes))
    vector: ColumnClause[Any] = literal_column("messages.search")
    matches = vector.op("@@")(query)
    return Match(
        source=Message.__table__,
        condition=matches,
        ordered_id=Message.id,
        score=-func.ts_rank(vector, query),
        # The planner matches only a bare ``@@`` to the GIN index: ``IS TRUE`` (the
        # same rows in a WHERE) leaves the window to the id or filter indexes.
        per_row=matches.is_(true()),
    )


def _sqlite_probe(terms: list[str]) -> Match:
    """SQLite, led by the messages' own indexes: each candidate row asks FTS5 whether
    it matches (``rowid =`` and ``MATCH``, about 50 us for a prefix-indexed word).
    For a small scope and a short prefix, whose posting list covers much of the
    index: walking that list for the few rows in scope costs far more."""
    fts = table("messages_fts", column("rowid"))
    expr = " ".join(f'"{w}"' for w in terms) + "*"
    probe = (
        exists()
        .where(fts.c.rowid == Message.id)
        .where(text("messages_fts MATCH :fts_query").bindparams(fts_query=expr))
    )
    return Match(
        source=Message.__table__,
        condition=probe,
        ordered_id=Message.id,
        score=-Message.id,  # unused: relevance always takes the FTS cursor
    )


@dataclass(frozen=True)
class TextSearch:
    """Search as one engine does it, chosen by ``text_search(tx.dialect)``."""

    # ``has=link``, written as the WHERE of the partial index ix_messages_links.
    link_predicate: str
    # Whether a small scope may be probed row by row (SQLite; PostgreSQL's
    # planner makes that choice itself).
    probes: bool
    # Whether words are searched window by window of ids (PostgreSQL, whose
    # planner underestimates common words: ``search/windows.py``).
    walks: bool

    def match(self, terms: list[str], probe: bool = False) -> Match:
        """The match for non-empty ``terms``; ``probe``: led by the other filters'
        indexes, the text checked per row."""
        if not self.probes:
            return _postgres(terms)
        return _sqlite_probe(terms) if probe else _sqlite(terms)


_TEXT_SEARCH = {
    "sqlite": TextSearch(link_predicate=LINK_SQLITE, probes=True, walks=False),
    "postgresql": TextSearch(link_predicate=LINK_POSTGRES, probes=False, walks=True),
}


def text_search(dialect: Dialect) -> TextSearch:
    return _TEXT_SEARCH[dialect.name]


def probe_pays(terms: list[str]) -> bool:
    """Whether a small scope is better probed than found through the text index:
    the last word is a prefix of at most two characters (FTS5's prefix indexes,
    migration 0006), which matches a large part of any index, and whose probe is
    one posting-list seek. A longer prefix merges its words' lists on every probe
    (about 1 ms each), while walking those lists once is cheap."""
    return len(terms[-1]) <= 2
