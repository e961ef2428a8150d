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
from dataclasses import dataclass

from sqlalchemy import ColumnElement, FromClause, column, func, literal_column, table, text

from guildhall.models import Message


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


@dataclass(frozen=True)
class Match:
    """How to find messages matching words: where to select from (it includes
    ``messages``), the condition, and the newest-first ordering."""

    source: FromClause
    condition: ColumnElement[bool]
    newest_first: ColumnElement[object]


def _sqlite(terms: list[str]) -> Match:
    expr = " ".join(f'"{w}"' for w in terms) + "*"  # prefix on the last word only
    fts = table("messages_fts", column("rowid"))
    return Match(
        source=fts.join(Message.__table__, Message.id == fts.c.rowid),
        condition=text("messages_fts MATCH :fts_query").bindparams(fts_query=expr),
        # Ordering by the FTS rowid lets FTS5 walk its index backwards and stop early.
        newest_first=fts.c.rowid.desc(),
    )


def _postgres(terms: list[str]) -> Match:
    lexemes = [f"'{w}'" for w in terms]
    lexemes[-1] += ":*"
    query = func.to_tsquery("simple", " & ".join(lexemes))
    return Match(
        source=Message.__table__,
        condition=literal_column("messages.search").op("@@")(query),
        newest_first=Message.id.desc(),
    )


def match(is_sqlite: bool, terms: list[str]) -> Match:
    """The match for non-empty ``terms`` on the running engine."""
    return _sqlite(terms) if is_sqlite else _postgres(terms)
