"""Search: pinned messages newest first across channels

Revision ID: 0014_search_indexes
Revises: 0013_resume

``pinned=true`` over a guild's channels read every pin of every channel from
``ix_messages_pinned`` (channel_id, id) and sorted them (about 1,000 at 1M
messages); this partial index walks the pins in id order and stops at the page
(docs/decisions/search.md). Only pinned rows are in it: nothing for a plain send.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_search_indexes"
down_revision = "0013_resume"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_messages_pinned_id",
        "messages",
        ["id", "channel_id"],
        sqlite_where=sa.text("pinned = 1"),
        postgresql_where=sa.text("pinned"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_pinned_id", table_name="messages")
