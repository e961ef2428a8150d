"""Indexes for the search filters (contract section 17).

* ``(author_id, id)`` replaces ``(author_id)``: ``author_id=`` walks one author's
  messages newest (or oldest) first and stops at the page; PostgreSQL's plain
  index would fetch and sort them all. It still serves the users foreign key.
* ``created_at``: a time bound becomes an id bound with one seek (search service).
* ``ix_messages_links``: a partial ``(channel_id, id)`` index of the messages
  holding ``http(s)://``, so ``has=link`` never scans every message. Its WHERE is
  the text of ``guildhall.models.message.LINK_*`` (copied: a migration must not
  change when the code does).
* SQLite: the FTS5 table gains prefix indexes of one and two characters. Without
  them ``a*`` merges the posting lists of every word starting with "a" (most of
  the index) before the first row comes out: 0.4-1 s at 1M messages whatever the
  caller can see. With them a short prefix is one posting list, walked newest
  first like a word. The table is rebuilt from ``messages`` (about 25 s per
  million messages); the triggers of 0002 name it and stay as they are.
  PostgreSQL's planner weighs the GIN prefix scan against the channel and
  author indexes itself.

Revision ID: 0006_search_filters
Revises: 0005_safety_auth
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_search_filters"
down_revision = "0005_safety_auth"
branch_labels = None
depends_on = None

_LINK_SQLITE = "(messages.content LIKE '%http://%' OR messages.content LIKE '%https://%')"
_LINK_POSTGRES = "(messages.content ~* 'https?://')"


_FTS = (
    "CREATE VIRTUAL TABLE messages_fts USING fts5("
    "content, content='messages', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2'{prefix})"
)


def _rebuild_fts(prefix: str) -> None:
    op.execute("DROP TABLE messages_fts")
    op.execute(_FTS.format(prefix=prefix))
    op.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_fts(", prefix='1 2'")
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_author_id")
        batch.create_index("ix_messages_author_id_id", ["author_id", "id"])
        batch.create_index("ix_messages_created_at", ["created_at"])
    op.create_index(
        "ix_messages_links",
        "messages",
        ["channel_id", "id"],
        sqlite_where=sa.text(_LINK_SQLITE),
        postgresql_where=sa.text(_LINK_POSTGRES),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_fts("")
    op.drop_index("ix_messages_links", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_created_at")
        batch.drop_index("ix_messages_author_id_id")
        batch.create_index("ix_messages_author_id", ["author_id"])
