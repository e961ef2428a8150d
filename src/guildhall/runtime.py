"""The per-process runtime: settings, database, limits, realtime bus, file storage.

Built once by ``create_app`` and reachable from every unit of work as ``tx.rt``,
so services take one argument for their context and nothing is global.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from guildhall.config import Settings
from guildhall.db import Database, Tx
from guildhall.ratelimit import RateLimits

if TYPE_CHECKING:
    from guildhall.realtime.bus import Bus
    from guildhall.realtime.presence import Presence


@dataclass
class Runtime:
    settings: Settings
    db: Database
    limits: RateLimits
    bus: Bus | None = None
    presence: Presence | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        return cls(settings=settings, db=Database(settings), limits=RateLimits(settings))

    @asynccontextmanager
    async def transaction(self, write: bool = True) -> AsyncIterator[Tx]:
        """One unit of work; its events go to the bus after it commits."""
        async with self.db.transaction(self, write) as tx:
            yield tx
