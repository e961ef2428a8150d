"""uploads: preview decision, index for the unattached-upload sweep; invites paging index

Revision ID: 0011_safety_io
Revises: 0010_roles
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_safety_io"
down_revision = "0010_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("preview", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_index("ix_uploads_created_at", ["created_at"], unique=False)
    # Existing rows: only images were ever previewed. Their pixel counts are not
    # stored; images over 40 megapixels uploaded before this revision keep
    # previewing until re-uploaded.
    op.execute(sa.text("UPDATE uploads SET preview = false WHERE mimetype NOT LIKE 'image/%'"))
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invites_guild_created", ["guild_id", "created_at", "code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_index("ix_invites_guild_created")
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_index("ix_uploads_created_at")
        batch_op.drop_column("preview")
