"""The realtime layer feeds the Prometheus metrics: connected sockets, and client
events by name and outcome (unknown names under one label, so labels stay bounded)."""

from __future__ import annotations

import asyncio

from prometheus_client import REGISTRY


def sockets() -> float:
    return REGISTRY.get_sample_value("guildhall_connected_sockets") or 0.0


def events(name: str, ok: str) -> float:
    return (
        REGISTRY.get_sample_value("guildhall_socket_events_total", {"event": name, "ok": ok}) or 0.0
    )


class TestMetrics:
    async def test_connected_sockets_gauge(self, world, connect):
        before = sockets()
        probe = await connect(token=world.token(world.alice))
        anon = await connect()
        assert sockets() == before + 2
        await probe.client.disconnect()
        await anon.client.disconnect()
        async with asyncio.timeout(5):
            while sockets() != before:  # noqa: ASYNC110 - the server sees the close later
                await asyncio.sleep(0.01)

    async def test_events_by_name_and_outcome(self, world, connect):
        probe = await connect(token=world.token(world.alice))
        ok, bad, unknown = (
            events("join_room", "true"),
            events("join_room", "false"),
            events("unknown", "false"),
        )
        await probe.call("join_room", {"room": world.room("general")})
        await probe.call("join_room", {"room": "nope"})
        await probe.call("x" * 500, {})
        assert events("join_room", "true") == ok + 1
        assert events("join_room", "false") == bad + 1
        assert events("unknown", "false") == unknown + 1
