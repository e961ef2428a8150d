"""roles, member roles, channel overwrites; @everyone for every guild

Revision ID: 0010_roles
Revises: 0009_profiles
Create Date: 2026-11-30 18:00:00

Every existing guild gets its ``@everyone`` role (position 0, the defaults that
match what any member could do before roles), so a guild that never creates a
role behaves as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_roles"
down_revision = "0009_profiles"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# CREATE_INSTANT_INVITE | ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | ATTACH_FILES
# | READ_MESSAGE_HISTORY, as a literal: a migration must not change when the code does.
EVERYONE_DEFAULT = (1 << 0) | (1 << 6) | (1 << 10) | (1 << 11) | (1 << 15) | (1 << 16)


def upgrade() -> None:
    # members.communication_disabled_until (the timeout) comes with 0007_moderation.
    op.create_table(
        "roles",
        sa.Column("id", BigId, nullable=False),
        sa.Column("guild_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("permissions", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("color", sa.Integer(), nullable=False),
        sa.Column("hoist", sa.Boolean(), nullable=False),
        sa.Column("mentionable", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name="fk_roles_guild_id_guilds", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_roles"),
    )
    op.create_index("ix_roles_guild_position", "roles", ["guild_id", "position"])
    op.create_table(
        "member_roles",
        sa.Column("guild_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("role_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["guild_id", "user_id"],
            ["members.guild_id", "members.user_id"],
            name="fk_member_roles_member",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name="fk_member_roles_role_id_roles", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("guild_id", "user_id", "role_id", name="pk_member_roles"),
    )
    op.create_index("ix_member_roles_role_id", "member_roles", ["role_id"])
    op.create_index("ix_member_roles_user_id", "member_roles", ["user_id"])
    op.create_table(
        "channel_overwrites",
        sa.Column("channel_id", BigId, nullable=False),
        sa.Column("target_type", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("allow", sa.BigInteger(), nullable=False),
        sa.Column("deny", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name="fk_channel_overwrites_channel_id_channels",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "channel_id", "target_type", "target_id", name="pk_channel_overwrites"
        ),
    )

    # @everyone for every guild, in one statement whatever the number of guilds.
    op.execute(
        sa.text(
            "INSERT INTO roles (guild_id, name, permissions, position, color, hoist,"
            " mentionable, created_at)"
            " SELECT id, '@everyone', :perms, 0, 0, :false, :false, created_at FROM guilds"
        ).bindparams(
            sa.bindparam("perms", EVERYONE_DEFAULT, type_=sa.BigInteger()),
            sa.bindparam("false", False, type_=sa.Boolean()),
        )
    )


def downgrade() -> None:
    op.drop_table("channel_overwrites")
    op.drop_index("ix_member_roles_user_id", table_name="member_roles")
    op.drop_index("ix_member_roles_role_id", table_name="member_roles")
    op.drop_table("member_roles")
    op.drop_index("ix_roles_guild_position", table_name="roles")
    op.drop_table("roles")
