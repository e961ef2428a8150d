"""Presence announcing: a user's status to their guilds and friends, in order."""

from __future__ import annotations

import asyncio
import logging

from guildhall.events import Event, ServerEvent
from guildhall.runtime import Runtime
from guildhall.users.audience import presence_rooms

log = logging.getLogger("guildhall.realtime")


class PresenceAnnouncer:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        # user id -> that user's last announcement still running.
        self._tail: dict[int, asyncio.Task[None]] = {}

    def announce(self, user_id: int, username: str, status: str) -> None:
        """Tell the user's guilds and friends, in the background and in order.

        Each announcement waits for the previous one of the same user, so a quick
        reconnect can never leave observers with the wrong final status.
        """
        previous = self._tail.get(user_id)
        task = asyncio.create_task(self._announce(previous, user_id, username, status))
        self._tail[user_id] = task

        def _done(t: asyncio.Task[None]) -> None:
            if self._tail.get(user_id) is t:
                del self._tail[user_id]

        task.add_done_callback(_done)

    async def settled(self) -> None:
        """Wait until every pending presence announcement has been published."""
        while self._tail:
            await asyncio.wait(list(self._tail.values()))

    async def _announce(
        self, previous: asyncio.Task[None] | None, user_id: int, username: str, status: str
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            # Index walks over the user's guilds and friends, as a socket's own
            # rooms at sign-in: a brief read (on SQLite, on the loop's thread).
            async with self.rt.transaction(write=False, brief=True) as tx:
                rooms = await presence_rooms(tx, user_id)
            # One payload object for every room: ``deliver`` sends it once to the
            # union of the rooms, so a friend in three shared guilds hears it once.
            data = {"user_id": user_id, "username": username, "status": status}
            if rooms:
                await self.rt.bus.publish(
                    [Event(r, ServerEvent.PRESENCE_UPDATE, data) for r in rooms]
                )
        except Exception:
            log.exception("presence announcement failed")
