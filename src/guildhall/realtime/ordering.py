"""Hands a node's deliveries out in ``seq`` order per channel (contract section 18).

Events leave a unit of work after it commits, so two units that committed seq 5
then 6 may publish 6 first (on one node, or on two nodes through Redis). Between
the bus and ``deliver`` this layer keeps, per channel, the next number it expects:
an event ahead of it waits until the gap is filled; a gap still open after
``GAP_WAIT`` seconds (a publish lost with Redis down, a node killed between its
commit and its publish) is filled from the replay log, so every socket still gets
every event, in order. Deliveries go through one lock, so ``resume`` can place a
socket in a room at a known point of the stream (``exclusive``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from guildhall.events import Event, sequenced_channel
from guildhall.ports.bus import Deliver

log = logging.getLogger("guildhall.realtime.ordering")

GAP_WAIT = 1.0  # seconds: far above a Redis hop, short for a reader


# Reads the logged events of a channel with ``first <= seq < end``, in order.
Fill = Callable[[int, int, int], Awaitable[list[Event]]]


def seq_of(event: Event) -> int | None:
    data = event.data
    seq = data.get("seq") if isinstance(data, dict) else None
    return seq if isinstance(seq, int) else None


class InOrder:
    """``Deliver`` in front of ``Deliver``: numbered events leave in order."""

    def __init__(self, deliver: Deliver, fill: Fill | None = None, gap_wait: float = GAP_WAIT):
        self._deliver = deliver
        self._fill = fill
        self._gap_wait = gap_wait
        self._lock = asyncio.Lock()
        # channel -> the next seq this node delivers; events that came early.
        self._next: dict[int, int] = {}
        self._early: dict[int, dict[int, list[Event]]] = {}
        self._timers: dict[int, asyncio.Task[None]] = {}

    def delivered(self, channel_id: int) -> int | None:
        """The last seq of the channel this node has delivered (None: none seen)."""
        nxt = self._next.get(channel_id)
        return None if nxt is None else nxt - 1

    def start_at(self, channel_id: int, seq: int) -> None:
        """A channel not seen yet continues after ``seq`` (``resume`` read it)."""
        self._next.setdefault(channel_id, seq + 1)

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """No delivery on this node while held."""
        async with self._lock:
            yield

    async def __call__(self, events: list[Event]) -> None:
        async with self._lock:
            ready = self._order(events)
            if ready:
                await self._deliver(ready)

    def _order(self, events: list[Event]) -> list[Event]:
        ready: list[Event] = []
        for ev in events:
            cid = sequenced_channel(ev)
            seq = seq_of(ev) if cid is not None else None
            if cid is None or seq is None:
                ready.append(ev)
                continue
            nxt = self._next.get(cid)
            if nxt is None or seq < nxt:
                # The first this node sees of the channel, or a late copy (a DM's
                # copy for another recipient, or one committed before a resume
                # started the channel here): out now.
                ready.append(ev)
                if nxt is None:
                    self._next[cid] = seq + 1
                continue
            if seq > nxt:
                self._early.setdefault(cid, {}).setdefault(seq, []).append(ev)
                self._wait_for_gap(cid)
                continue
            ready.append(ev)
            self._next[cid] = seq + 1
            ready.extend(self._release(cid))
        return ready

    def _release(self, cid: int) -> list[Event]:
        """The early events that now follow on, in order."""
        early = self._early.get(cid)
        out: list[Event] = []
        while early:
            nxt = self._next[cid]
            batch = early.pop(nxt, None)
            if batch is None:
                break
            out.extend(batch)
            self._next[cid] = nxt + 1
        if not early:
            self._early.pop(cid, None)
        return out

    def _wait_for_gap(self, cid: int) -> None:
        if cid not in self._timers:
            self._timers[cid] = asyncio.create_task(self._gap(cid))

    async def _gap(self, cid: int) -> None:
        await asyncio.sleep(self._gap_wait)
        async with self._lock:
            early = self._early.get(cid)
            if early:
                nxt, first_early = self._next[cid], min(early)
                filled: list[Event] = []
                if self._fill is not None:
                    try:
                        filled = await self._fill(cid, nxt, first_early)
                    except Exception:
                        log.exception("filling channel %d's gap from the replay log failed", cid)
                if len(filled) != first_early - nxt:
                    log.warning("channel %d: seq %d-%d lost; delivering on", cid, nxt, first_early)
                self._next[cid] = first_early
                try:
                    await self._deliver(filled + self._release(cid))
                except Exception:
                    log.exception("delivering channel %d's events after a gap failed", cid)
            self._timers.pop(cid, None)
            if self._early.get(cid):
                self._wait_for_gap(cid)

    async def stop(self) -> None:
        for task in list(self._timers.values()):
            task.cancel()
        self._timers.clear()
