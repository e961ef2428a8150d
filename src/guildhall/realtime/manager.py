"""python-socketio's room table, with each socket's rooms indexed.

The stock manager finds the rooms of a disconnecting socket by copying and
scanning the node's whole room table (``BaseManager.basic_disconnect``), and every
socket has a room of its own: each disconnect costs time in the number of sockets,
so a node's sockets going away together (a restart of the proxy, a network blip,
the end of a benchmark) cost time in its square. At 10,000 sockets the node spent
about a minute on it, and sockets connecting meanwhile waited (bench/results/memory.md).
Here a disconnect visits only the socket's own rooms.
"""

from __future__ import annotations

from typing import Any

import socketio


# python-socketio has no type information: AsyncManager is Any to the checker.
class IndexedManager(socketio.AsyncManager):  # type: ignore[misc]
    """``AsyncManager`` whose disconnect and room listing read a sid -> rooms index
    kept beside the stock table (which the fast delivery path still reads)."""

    def __init__(self) -> None:
        super().__init__()
        # namespace -> sid -> the rooms it is in (None is the namespace's own room,
        # every connected socket, as in the stock table). Lists: a socket is in a
        # few rooms, and an idle socket's memory counts (a set costs ~0.5 KiB).
        self._rooms_of: dict[str, dict[str, list[Any]]] = {}

    def basic_enter_room(
        self, sid: str, namespace: str, room: Any, eio_sid: str | None = None
    ) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        mine = self._rooms_of.setdefault(namespace, {}).setdefault(sid, [])
        if room not in mine:
            mine.append(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        by_sid = self._rooms_of.get(namespace)
        mine = by_sid.get(sid) if by_sid is not None else None
        if mine is not None and room in mine:
            mine.remove(room)
            if not mine:
                del by_sid[sid]  # type: ignore[union-attr]
                if not by_sid:
                    del self._rooms_of[namespace]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        # The stock clean-up, with the scan of every room replaced by the index.
        for room in list(self._rooms_of.get(namespace, {}).get(sid, ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        return [r for r in self._rooms_of.get(namespace, {}).get(sid, ()) if r is not None]
