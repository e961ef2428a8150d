"""Direct messages and group DMs (contract section 15).

* ``channels.guild_id`` and ``messages.guild_id`` become nullable: a DM channel
  and its messages belong to no guild.
* ``channels.owner_id`` (a group's owner) and ``channels.dm_key`` (a one-to-one
  DM's pair, unique: two racing first calls make one channel).
* ``channel_recipients``: who is in a DM, with their read baseline.

SQLite cannot drop a NOT NULL in place, and batch mode's copy of ``messages``
would drop the search, count and last-message triggers (0002, 0003, 0008) and
copy every message. Dropping NOT NULL changes no stored byte, so the column
definition is edited in ``sqlite_schema`` instead, the procedure SQLite
documents for exactly this ("Making Other Kinds Of Table Schema Changes"):
writable_schema, one UPDATE, schema_version + 1, then an integrity check.
Instant at any size; the triggers and indexes stay as they are.

Revision ID: 0012_dms
Revises: 0011_safety_io
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_dms"
down_revision = "0011_safety_io"
branch_labels = None
depends_on = None

_NOT_NULL = "\tguild_id INTEGER NOT NULL, "
_NULLABLE = "\tguild_id INTEGER, "


def _sqlite_set_schema(old: str, new: str) -> None:
    bind = op.get_bind()
    for table in ("channels", "messages"):
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar_one()
        if sql.count(old) != 1:
            raise RuntimeError(f"unexpected definition of {table}.guild_id: {sql!r}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
            "WHERE type = 'table' AND name IN ('channels', 'messages')",
            (old, new),
        )
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = bind.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"schema edit failed the integrity check: {problems[:5]}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_set_schema(_NOT_NULL, _NULLABLE)
    else:
        op.alter_column("channels", "guild_id", existing_type=sa.BigInteger(), nullable=True)
        op.alter_column("messages", "guild_id", existing_type=sa.BigInteger(), nullable=True)
    # Plain ADD COLUMN (no batch copy), for the reason above.
    op.add_column("channels", sa.Column("owner_id", sa.BigInteger(), nullable=True))
    op.add_column("channels", sa.Column("dm_key", sa.String(length=48), nullable=True))
    op.create_index("uq_channels_dm_key", "channels", ["dm_key"], unique=True)
    op.create_table(
        "channel_recipients",
        sa.Column(
            "channel_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey(
                "channels.id",
                ondelete="CASCADE",
                name="fk_channel_recipients_channel_id_channels",
            ),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey(
                "users.id", ondelete="CASCADE", name="fk_channel_recipients_user_id_users"
            ),
            nullable=False,
        ),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("read_baseline_id", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("channel_id", "user_id", name="pk_channel_recipients"),
    )
    op.create_index("ix_channel_recipients_user", "channel_recipients", ["user_id", "channel_id"])


def downgrade() -> None:
    op.drop_index("ix_channel_recipients_user", table_name="channel_recipients")
    op.drop_table("channel_recipients")
    op.drop_index("uq_channels_dm_key", table_name="channels")
    op.execute("DELETE FROM messages WHERE guild_id IS NULL")
    op.execute("DELETE FROM channels WHERE guild_id IS NULL")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("dm_key")
        batch.drop_column("owner_id")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_set_schema(_NULLABLE, _NOT_NULL)
    else:
        op.alter_column("channels", "guild_id", existing_type=sa.BigInteger(), nullable=False)
        op.alter_column("messages", "guild_id", existing_type=sa.BigInteger(), nullable=False)
