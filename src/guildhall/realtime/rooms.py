"""Room checks: entering a room once its check has passed with no membership
change delivered meanwhile, and what this node's rooms hold."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from socketio import packet as sio_packet

from guildhall.codes import ErrorCode
from guildhall.errors import AppError
from guildhall.realtime.sio import NAMESPACE
from guildhall.realtime.sockets import MAX_MEMBERSHIP_READS, SocketState, SocketUser


class Rooms(SocketState):
    async def enter_checked(
        self, sid: str, user: SocketUser, room: str, check: Callable[[], Awaitable[None]]
    ) -> bool:
        """Enter ``room`` once ``check`` (which raises if not allowed) has passed
        with no membership change delivered meanwhile. False if the socket is gone."""
        for _ in range(MAX_MEMBERSHIP_READS):
            epoch = self.membership_epoch
            await check()
            if epoch == self.membership_epoch:
                break
        else:
            raise AppError(ErrorCode.INTERNAL_ERROR, 503, "Memberships are changing; try again")
        if self.sockets.get(sid) is not user:
            return False
        await self.sio.enter_room(sid, room)
        await self._watch([room])
        return True

    async def _watch(self, rooms: list[str]) -> None:
        """Subscribe this node to other nodes' events for rooms its sockets entered."""
        await self.rt.bus.watch(rooms)

    def local_rooms(self) -> list[str]:
        """The rooms where this node holds at least one socket."""
        table = self.sio.manager.rooms.get(NAMESPACE, {})
        return [r for r, members in table.items() if isinstance(r, str) and members]

    def in_room(self, sid: str, room: str) -> bool:
        members = self.sio.manager.rooms.get(NAMESPACE, {}).get(room)
        return members is not None and sid in members

    def _participants(self, room: str) -> list[str]:
        return [sid for sid, _ in self.sio.manager.get_participants(NAMESPACE, room)]

    async def send_to(self, sid: str, event: str, data: Any) -> None:
        """One event to one socket of this node: the packet straight to its
        Engine.IO socket (python-socketio's ``emit`` would look the sid up as a
        room and walk its participants; a join sends three of these)."""
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        if eio_sid is not None:
            pkt = self.sio.packet_class(sio_packet.EVENT, namespace=NAMESPACE, data=[event, data])
            await self.sio._send_packet(eio_sid, pkt)
