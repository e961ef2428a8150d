"""Sockets for message tests: a signed-in socket joined to the world's channel."""

from __future__ import annotations

from typing import Any

from tests.realtime.conftest import Probe, listening


async def joined(rt: Any, connect: Any, client: Any, room: str) -> Probe:
    """A socket of ``client`` in ``room`` with nothing received yet."""
    probe = await listening(rt, connect, client.user["token"])
    answer = await probe.call("join_room", {"room": room})
    assert answer["ok"] is True, answer
    await probe.next("messages_history")
    probe.clear()
    return probe
