"""Replies, mentions, read states and edit history (contract section 16).

Written by hand: the triggers below are invisible to autogenerate.

* ``messages``: ``reply_to_id`` (no foreign key: a deleted original leaves the
  id), the mentions shown on the message, and ``mention_everyone`` with a partial
  index that read states count ``@everyone`` from.
* ``message_mentions`` / ``message_role_mentions``: the mention indexes.
* ``message_edits``: replaced versions.
* ``read_states`` (user, channel): how far a user has read.
* ``channels.last_message_id``, kept by triggers on insert and delete (whoever
  deletes: a user, retention, a moderator, a cascade), and backfilled.
* Sending acks: the same insert trigger moves the author's read state of the
  channel up to the new message, in the insert's own statement (a send stays
  four statements, whichever code path inserts the message).
* ``members.read_baseline_id``: the newest message id when the member joined,
  filled by a trigger on every new membership (however it is made) and
  backfilled to the current newest id, so upgrading shows nothing unread.

Revision ID: 0008_message_extras
Revises: 0007_moderation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_message_extras"
down_revision = "0007_moderation"
branch_labels = None
depends_on = None

_BACKFILL = [
    "UPDATE channels SET last_message_id = COALESCE("
    "(SELECT max(id) FROM messages WHERE messages.channel_id = channels.id), 0)",
    "UPDATE members SET read_baseline_id = COALESCE((SELECT max(id) FROM messages), 0)",
]

_SQLITE_UP = [
    # Deleting the newest message moves last_message_id back (one index seek);
    # retention deletes the oldest and leaves it alone.
    "CREATE TRIGGER messages_last_ai AFTER INSERT ON messages BEGIN "
    "UPDATE channels SET last_message_id = new.id "
    "WHERE id = new.channel_id AND last_message_id < new.id; "
    "INSERT INTO read_states (user_id, channel_id, last_read_id) "
    "VALUES (new.author_id, new.channel_id, new.id) "
    "ON CONFLICT (user_id, channel_id) DO UPDATE SET last_read_id = excluded.last_read_id "
    "WHERE read_states.last_read_id < excluded.last_read_id; END",
    "CREATE TRIGGER messages_last_ad AFTER DELETE ON messages BEGIN "
    "UPDATE channels SET last_message_id = COALESCE("
    "(SELECT max(id) FROM messages WHERE channel_id = old.channel_id), 0) "
    "WHERE id = old.channel_id AND last_message_id = old.id; END",
    "CREATE TRIGGER members_read_baseline_ai AFTER INSERT ON members "
    "WHEN new.read_baseline_id = 0 BEGIN "
    "UPDATE members SET read_baseline_id = COALESCE((SELECT max(id) FROM messages), 0) "
    "WHERE guild_id = new.guild_id AND user_id = new.user_id; END",
]

_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS members_read_baseline_ai",
    "DROP TRIGGER IF EXISTS messages_last_ad",
    "DROP TRIGGER IF EXISTS messages_last_ai",
]

# Statement-level on PostgreSQL, like 0003: a bulk delete touches each channel once.
_POSTGRES_UP = [
    """
    CREATE FUNCTION messages_last_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE channels c SET last_message_id = d.newest
        FROM (SELECT channel_id, max(id) AS newest FROM added GROUP BY channel_id) d
        WHERE c.id = d.channel_id AND c.last_message_id < d.newest;
        INSERT INTO read_states (user_id, channel_id, last_read_id)
        SELECT author_id, channel_id, max(id) FROM added GROUP BY author_id, channel_id
        ON CONFLICT (user_id, channel_id) DO UPDATE SET last_read_id = excluded.last_read_id
        WHERE read_states.last_read_id < excluded.last_read_id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION messages_last_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE channels c SET last_message_id = COALESCE(
            (SELECT max(m.id) FROM messages m WHERE m.channel_id = c.id), 0)
        WHERE c.last_message_id IN (SELECT id FROM removed)
          AND c.id IN (SELECT channel_id FROM removed);
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER messages_last_ai AFTER INSERT ON messages "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION messages_last_added()",
    "CREATE TRIGGER messages_last_ad AFTER DELETE ON messages "
    "REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
    "EXECUTE FUNCTION messages_last_removed()",
    """
    CREATE FUNCTION members_read_baseline() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.read_baseline_id = 0 THEN
            NEW.read_baseline_id := COALESCE((SELECT max(id) FROM messages), 0);
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER members_read_baseline_bi BEFORE INSERT ON members "
    "FOR EACH ROW EXECUTE FUNCTION members_read_baseline()",
]

_POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS members_read_baseline_bi ON members",
    "DROP FUNCTION IF EXISTS members_read_baseline()",
    "DROP TRIGGER IF EXISTS messages_last_ad ON messages",
    "DROP TRIGGER IF EXISTS messages_last_ai ON messages",
    "DROP FUNCTION IF EXISTS messages_last_removed()",
    "DROP FUNCTION IF EXISTS messages_last_added()",
]


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: recreating messages on SQLite would drop the
    # search and count triggers of 0002 and 0003.
    op.add_column("messages", sa.Column("reply_to_id", sa.BigInteger(), nullable=True))
    op.add_column("messages", sa.Column("mention_user_ids", sa.JSON(), nullable=True))
    op.add_column("messages", sa.Column("mention_role_ids", sa.JSON(), nullable=True))
    op.add_column(
        "messages",
        sa.Column("mention_everyone", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_messages_mention_everyone",
        "messages",
        ["channel_id", "id"],
        sqlite_where=sa.text("mention_everyone = 1"),
        postgresql_where=sa.text("mention_everyone"),
    )
    op.add_column(
        "channels",
        sa.Column("last_message_id", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.add_column(
        "members",
        sa.Column("read_baseline_id", sa.BigInteger(), nullable=False, server_default="0"),
    )
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "message_mentions",
        sa.Column("user_id", big_id, nullable=False),
        sa.Column("channel_id", big_id, nullable=False),
        sa.Column("message_id", big_id, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_message_mentions_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name="fk_message_mentions_channel_id_channels",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name="fk_message_mentions_message_id_messages",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "channel_id", "message_id", name="pk_message_mentions"),
    )
    op.create_index("ix_message_mentions_message_id", "message_mentions", ["message_id"])
    op.create_table(
        "message_role_mentions",
        sa.Column("role_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", big_id, nullable=False),
        sa.Column("message_id", big_id, nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name="fk_message_role_mentions_channel_id_channels",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name="fk_message_role_mentions_message_id_messages",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "role_id", "channel_id", "message_id", name="pk_message_role_mentions"
        ),
    )
    op.create_index("ix_message_role_mentions_message_id", "message_role_mentions", ["message_id"])
    op.create_table(
        "message_edits",
        sa.Column("id", big_id, autoincrement=True, nullable=False),
        sa.Column("message_id", big_id, nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name="fk_message_edits_message_id_messages",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_message_edits"),
    )
    op.create_index("ix_message_edits_message_id_id", "message_edits", ["message_id", "id"])
    op.create_table(
        "read_states",
        sa.Column("user_id", big_id, nullable=False),
        sa.Column("channel_id", big_id, nullable=False),
        sa.Column("last_read_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_read_states_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name="fk_read_states_channel_id_channels",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "channel_id", name="pk_read_states"),
    )
    op.create_index("ix_read_states_channel_id", "read_states", ["channel_id"])
    for sql in _BACKFILL:
        op.execute(sql)
    dialect = op.get_bind().dialect.name
    for sql in _SQLITE_UP if dialect == "sqlite" else _POSTGRES_UP:
        op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for sql in _SQLITE_DOWN if dialect == "sqlite" else _POSTGRES_DOWN:
        op.execute(sql)
    op.drop_table("read_states")
    op.drop_table("message_edits")
    op.drop_table("message_role_mentions")
    op.drop_table("message_mentions")
    op.drop_index("ix_messages_mention_everyone", table_name="messages")
    # Plain DROP COLUMN (SQLite 3.35+) for the same reason as above.
    op.drop_column("members", "read_baseline_id")
    op.drop_column("channels", "last_message_id")
    for column in ("mention_everyone", "mention_role_ids", "mention_user_ids", "reply_to_id"):
        op.drop_column("messages", column)
