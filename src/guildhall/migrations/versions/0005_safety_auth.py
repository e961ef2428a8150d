"""account safety: sessions.last_used_at, users.username_skeleton

Revision ID: 0005_safety_auth
Revises: 0004
Create Date: 2026-11-30 18:10:00

* ``sessions.last_used_at``: existing sessions count as used at the upgrade. Their
  real last use is unknown, and ``created_at`` would end every long-lived session
  that is in daily use the moment the server restarts; "now" gives each one a full
  idle period instead.
* ``users.username_skeleton``: the UTS #39 look-alike key, backfilled here. Two
  existing accounts may already look alike (they registered before the rule): the
  upgrade keeps both names and all data; the older account (lower id) gets the key,
  the newer one keeps NULL (a unique index allows many NULLs), so nobody new can
  take a third look-alike and nobody loses an account. The collisions are logged.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from guildhall.kit.confusables import name_skeleton

revision = "0005_safety_auth"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

_BATCH = 1000


def upgrade() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC (UTCDateTime)

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))
    bind.execute(sa.text("UPDATE sessions SET last_used_at = :now"), {"now": now})
    # SQLite rebuilds ``sessions`` here (nothing references it, so that is safe).
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.alter_column("last_used_at", existing_type=sa.DateTime(), nullable=False)

    # A plain ADD COLUMN and CREATE INDEX: ``users`` is never rebuilt (on SQLite a
    # rebuild drops the table, and every table referencing it cascades).
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username_skeleton", sa.String(length=1024), nullable=True))

    holders: dict[str, int] = {}
    last_id = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, username FROM users WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last_id, "n": _BATCH},
        ).all()
        if not rows:
            break
        updates = []
        for user_id, username in rows:
            key = name_skeleton(username)
            if key in holders:
                log.warning(
                    "username %r (id %s) looks like the account with id %s: "
                    "both kept, the older one holds the look-alike key",
                    username,
                    user_id,
                    holders[key],
                )
                continue
            holders[key] = user_id
            updates.append({"id": user_id, "key": key})
        if updates:
            bind.execute(
                sa.text("UPDATE users SET username_skeleton = :key WHERE id = :id"), updates
            )
        last_id = rows[-1][0]

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_username_skeleton", ["username_skeleton"], unique=True)


def downgrade() -> None:
    # Not batch: a batch rebuild of ``users`` would cascade on SQLite (see above);
    # SQLite 3.35+ drops an unindexed column in place.
    op.drop_index("ix_users_username_skeleton", table_name="users")
    op.drop_column("users", "username_skeleton")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
