"""Who is online: a user is online while they have a connected socket anywhere."""

from __future__ import annotations

from collections import Counter
from typing import Protocol


class Presence(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def connect(self, user_id: int) -> bool:
        """Count a socket; True when the user just came online."""
        ...

    async def disconnect(self, user_id: int) -> bool:
        """Uncount a socket; True when the user just went offline."""
        ...

    async def is_online(self, user_id: int) -> bool: ...

    async def online_among(self, user_ids: list[int]) -> set[int]: ...


class MemoryPresence:
    def __init__(self) -> None:
        self._sockets: Counter[int] = Counter()

    async def start(self) -> None:
        pass  # nothing shared to join

    async def stop(self) -> None:
        pass

    async def connect(self, user_id: int) -> bool:
        self._sockets[user_id] += 1
        return self._sockets[user_id] == 1

    async def disconnect(self, user_id: int) -> bool:
        if self._sockets[user_id] <= 0:
            return False
        self._sockets[user_id] -= 1
        if self._sockets[user_id] == 0:
            del self._sockets[user_id]
            return True
        return False

    async def is_online(self, user_id: int) -> bool:
        return self._sockets.get(user_id, 0) > 0

    async def online_among(self, user_ids: list[int]) -> set[int]:
        return {u for u in user_ids if self._sockets.get(u, 0) > 0}
