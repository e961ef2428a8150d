"""Alembic environment: async engines, batch mode so SQLite ALTERs work."""

from __future__ import annotations

import asyncio
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import guildhall.models  # noqa: F401  (registers every table)
from guildhall.db import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


# Search objects (0002_search) and the trigger-kept channels.message_count
# (0003_message_counts) are written by hand: autogenerate must not touch them.
_HAND_WRITTEN = {"messages_fts", "ix_messages_search", "search", "message_count"}


def _include(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (name in _HAND_WRITTEN or (name or "").startswith("messages_fts"))


def _render_item(type_: str, obj: object, autogen_context: AutogenContext) -> str | Literal[False]:
    # UTCDateTime only converts in Python; in the schema it is a plain DateTime.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=_include,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _main(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # called from guildhall.migrate with a live connection
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from guildhall.config import Settings

        url = Settings().resolved_database_url
    asyncio.run(_main(url))


run()
