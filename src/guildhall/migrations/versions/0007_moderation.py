"""moderation: bans, the audit log, member timeouts

Revision ID: 0007_moderation
Revises: 0006_search_filters
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_moderation"
down_revision = "0006_search_filters"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "bans",
        sa.Column("guild_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("reason", sa.String(length=512), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_bans_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bans_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_bans")),
    )
    with op.batch_alter_table("bans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bans_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", _ID, nullable=False),
        sa.Column("guild_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=512), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"],
            ["guilds.id"],
            name=op.f("fk_audit_log_guild_id_guilds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_guild_id_id", ["guild_id", "id"], unique=False)
        batch_op.create_index(
            "ix_audit_log_guild_user_id", ["guild_id", "user_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_audit_log_guild_action_id", ["guild_id", "action", "id"], unique=False
        )
        batch_op.create_index("ix_audit_log_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_audit_log_user_id", ["user_id"], unique=False)

    # The timeout (section 14): until then the member may read but not speak.
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("communication_disabled_until", sa.DateTime(), nullable=True))

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_author_guild_created",
            ["author_id", "guild_id", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_author_guild_created")
    # The timeout (section 14): until then the member may read but not speak.
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("communication_disabled_until")
    op.drop_table("audit_log")
    op.drop_table("bans")
