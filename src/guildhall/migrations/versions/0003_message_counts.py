"""A channel's message count, kept by the database itself.

Written by hand: autogenerate cannot see triggers (``channels.message_count`` is
excluded from autogenerate in ``env.py`` so this migration alone owns it).
History's ``total`` and retention read it instead of counting a channel's rows,
which costs as much as the channel is long. Triggers keep it right whatever
deletes messages: a send, a delete, retention, or a cascade from a deleted user.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BACKFILL = (
    "UPDATE channels SET message_count = "
    "(SELECT count(*) FROM messages WHERE messages.channel_id = channels.id)"
)

_SQLITE_UP = [
    "CREATE TRIGGER messages_count_ai AFTER INSERT ON messages BEGIN "
    "UPDATE channels SET message_count = message_count + 1 WHERE id = new.channel_id; END",
    "CREATE TRIGGER messages_count_ad AFTER DELETE ON messages BEGIN "
    "UPDATE channels SET message_count = message_count - 1 WHERE id = old.channel_id; END",
]

_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS messages_count_ad",
    "DROP TRIGGER IF EXISTS messages_count_ai",
]

# Statement-level with transition tables: a bulk delete (retention, a cascade)
# updates each channel row once, not once per message.
_POSTGRES_UP = [
    """
    CREATE FUNCTION messages_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE channels c SET message_count = c.message_count + d.n
        FROM (SELECT channel_id, count(*) AS n FROM added GROUP BY channel_id) d
        WHERE c.id = d.channel_id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION messages_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE channels c SET message_count = c.message_count - d.n
        FROM (SELECT channel_id, count(*) AS n FROM removed GROUP BY channel_id) d
        WHERE c.id = d.channel_id;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER messages_count_ai AFTER INSERT ON messages "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION messages_count_added()",
    "CREATE TRIGGER messages_count_ad AFTER DELETE ON messages "
    "REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
    "EXECUTE FUNCTION messages_count_removed()",
]

_POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS messages_count_ad ON messages",
    "DROP TRIGGER IF EXISTS messages_count_ai ON messages",
    "DROP FUNCTION IF EXISTS messages_count_removed()",
    "DROP FUNCTION IF EXISTS messages_count_added()",
]


def upgrade() -> None:
    op.add_column(
        "channels",
        sa.Column("message_count", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.execute(_BACKFILL)
    dialect = op.get_bind().dialect.name
    for sql in _SQLITE_UP if dialect == "sqlite" else _POSTGRES_UP:
        op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for sql in _SQLITE_DOWN if dialect == "sqlite" else _POSTGRES_DOWN:
        op.execute(sql)
    with op.batch_alter_table("channels") as batch_op:
        batch_op.drop_column("message_count")
