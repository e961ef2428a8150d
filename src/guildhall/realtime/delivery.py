"""Delivery of committed events to this node's sockets, and the control events
that change their rooms (join, leave, disconnect) instead of reaching clients."""

from __future__ import annotations

import logging
from typing import Any

from engineio import packet as eio_packet
from socketio import packet as sio_packet

from guildhall.events import DISCONNECT, JOIN_ROOMS, LEAVE_ROOMS, Event, is_control
from guildhall.realtime.rooms import Rooms
from guildhall.realtime.sio import NAMESPACE
from guildhall.realtime.wire import WireProtocol, frame

log = logging.getLogger("guildhall.realtime")

# A batch's frames held per WebSocket connection until the batch is delivered.
Pending = dict[WireProtocol, list[bytes]]


def _flush(pending: Pending) -> None:
    """Write each connection's held frames in one write, in the order they came."""
    for wire, frames in pending.items():
        wire.write(frames[0] if len(frames) == 1 else b"".join(frames))
    pending.clear()


class Delivery(Rooms):
    # The fast path reads python-socketio's room table directly; any other
    # manager (a message-queue one) goes through its public emit.
    _fast: bool

    async def deliver(self, events: list[Event]) -> None:
        """Deliver committed events to this node's sockets.

        Control events change rooms and never reach clients. A run of events with
        the same name and payload (a presence change for several rooms) goes once
        to the union of their rooms. When the batch holds several events (a group
        commit's sends), a WebSocket's frames of the whole batch leave in one
        write, not one each: the write, a system call per socket, is most of what
        a delivery costs (docs/decisions/realtime.md).
        """
        pending: Pending | None = {} if len(events) > 1 else None
        try:
            await self._deliver(events, pending)
        finally:
            if pending:
                _flush(pending)

    async def _deliver(self, events: list[Event], pending: Pending | None) -> None:
        i, n = 0, len(events)
        while i < n:
            ev = events[i]
            if is_control(ev.name):
                if pending:  # what came before a join, leave or disconnect goes first
                    _flush(pending)
                try:
                    await self._control(ev)
                except Exception:
                    log.exception("control event %s failed", ev.name)
                i += 1
                continue
            rooms = [ev.room]
            j = i + 1
            while (
                j < n
                and events[j].name == ev.name
                and events[j].skip_sid == ev.skip_sid
                and events[j].skip_rooms == ev.skip_rooms
                and events[j].data == ev.data
            ):
                rooms.append(events[j].room)
                j += 1
            try:
                await self._broadcast(ev.name, ev.data, rooms, self._skipped(ev), pending)
            except Exception:
                log.exception("delivery of %s failed", ev.name)
            i = j

    def _skipped(self, ev: Event) -> set[str]:
        """The sockets of this node an event leaves out: its origin, and every
        socket in one of its ``skip_rooms``."""
        out = {ev.skip_sid} if ev.skip_sid is not None else set()
        for room in ev.skip_rooms:
            out.update(self._participants(room))
        return out

    async def _broadcast(
        self, name: str, data: Any, rooms: list[str], skip: set[str], pending: Pending | None
    ) -> None:
        if not self._fast:
            if pending:  # python-socketio writes on its own: what is held goes first
                _flush(pending)
            await self.sio.emit(
                name,
                data,
                to=rooms if len(rooms) > 1 else rooms[0],
                skip_sid=list(skip) or None,
                ignore_queue=True,
            )
            return
        table = self.sio.manager.rooms.get(NAMESPACE)
        if not table:
            return
        if len(rooms) == 1:
            recipients = table.get(rooms[0])
            if not recipients:
                return  # nobody here: not even encoded
        else:
            recipients = {}
            for room in rooms:
                members = table.get(room)
                if members:
                    recipients.update(members)
            if not recipients:
                return
        # Encoded once, framed once: a socket whose WebSocket we write to gets
        # the same frame bytes as every other (one transport write each); a
        # polling one gets the packet on its queue (python-engineio caches the
        # encoded text on the packet).
        encoded = self.sio.packet_class(
            sio_packet.EVENT, namespace=NAMESPACE, data=[name, data]
        ).encode()
        if isinstance(encoded, list):  # binary attachments: not ours, use the slow path
            if pending:
                _flush(pending)
            await self.sio.emit(name, data, to=rooms, skip_sid=list(skip), ignore_queue=True)
            return
        pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        raw = frame(pkt.encode())
        sockets = self.sio.eio.sockets
        for sid, eio_sid in recipients.items():
            if sid in skip:
                continue
            sock = sockets.get(eio_sid)
            if sock is None or sock.closing or sock.closed:
                continue
            wire = sock.wire
            if wire is None:
                sock.queue.put_nowait(pkt)
            elif pending is None:
                wire.write(raw)
            else:
                held = pending.get(wire)
                if held is None:
                    pending[wire] = [raw]
                else:
                    held.append(raw)

    async def _control(self, ev: Event) -> None:
        self.membership_epoch += 1
        sids = self._participants(ev.room)
        if not sids:
            return
        data = ev.data or {}
        if ev.name == JOIN_ROOMS:
            rooms = list(data.get("rooms", ()))
            for sid in sids:
                for room in rooms:
                    await self.sio.enter_room(sid, room)
            await self._watch(rooms)
        elif ev.name == LEAVE_ROOMS:
            rooms = list(data.get("rooms", ()))
            prefixes = tuple(data.get("prefixes", ()))
            if prefixes:
                table = self.sio.manager.rooms.get(NAMESPACE, {})
                rooms += [r for r in table if isinstance(r, str) and r.startswith(prefixes)]
            for sid in sids:
                for room in rooms:
                    await self.sio.leave_room(sid, room)
        elif ev.name == DISCONNECT:
            ended = set(data.get("session_ids", ()))
            keep = data.get("all_but")
            for sid in sids:
                user = self.sockets.get(sid)
                if user is None:
                    continue
                if user.session_id in ended or ("all_but" in data and user.session_id != keep):
                    await self.sio.disconnect(sid, ignore_queue=True)
        else:
            log.warning("unknown control event %s", ev.name)
