"""profiles: display names, guild icon and description, password-reset tokens

Revision ID: 0009_profiles
Revises: 0008_message_extras
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_profiles"
down_revision = "0008_message_extras"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns: existing rows keep working (no display name, no icon).
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=32), nullable=True))
    with op.batch_alter_table("guilds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("icon", sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column("description", sa.String(length=300), nullable=True))
    op.create_table(
        "password_resets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_password_resets_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_resets_token_hash")),
    )
    op.create_index(
        "ix_password_resets_user_id_created_at",
        "password_resets",
        ["user_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_password_resets_user_id_created_at", table_name="password_resets")
    op.drop_table("password_resets")
    with op.batch_alter_table("guilds", schema=None) as batch_op:
        batch_op.drop_column("description")
        batch_op.drop_column("icon")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("display_name")
