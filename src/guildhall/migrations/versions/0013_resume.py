"""channels.seq and the replay log (contract section 18)

Revision ID: 0013_resume
Revises: 0011_safety_io
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_resume"
down_revision = "0012_dms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False))
    op.create_table(
        "channel_events",
        sa.Column(
            "channel_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name="fk_channel_events_channel_id_channels",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("channel_id", "seq", name="pk_channel_events"),
    )
    op.create_index("ix_channel_events_created_at", "channel_events", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_channel_events_created_at", table_name="channel_events")
    op.drop_table("channel_events")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("seq")
