"""A node told to stop (SIGTERM, as systemd does) with sockets attached: every
client is told at once, in the way that makes stock clients reconnect (through
the proxy, to another node), and the process ends well inside uvicorn's graceful
timeout even with a polling client's long-poll parked on it. Each socket's
connect and disconnect is in the access log."""

from __future__ import annotations

import json
import signal
import threading
import time

import pytest
import socketio

from tests.e2e.conftest import register

pytestmark = pytest.mark.e2e

WAIT = 10


def test_sigterm_drops_sockets_for_reconnection_and_stops_at_once(spawn_server):
    node = spawn_server(GUILDHALL_LOG_JSON="true")
    alice = register(node.url, "alice")
    token = alice.cookies["session"]
    dropped: dict[str, tuple[str, threading.Event]] = {}
    clients: dict[str, socketio.Client] = {}
    for transport in ("polling", "websocket"):
        client = socketio.Client(reconnection=True, reconnection_delay=5)
        done = threading.Event()

        def on_disconnect(reason: str | None = None, t: str = transport, e=done) -> None:
            dropped[t] = (str(reason), e)
            e.set()

        client.on("disconnect", on_disconnect)
        client.connect(node.url, transports=[transport], auth={"token": token}, wait_timeout=WAIT)
        clients[transport] = client
    assert node.proc is not None
    try:
        # Both sockets are idle: the polling one has its long-poll parked on the server.
        started = time.monotonic()
        node.proc.send_signal(signal.SIGTERM)
        node.proc.wait(WAIT)
        took = time.monotonic() - started
        # uvicorn alone waits its whole graceful timeout (5 s) for the parked poll.
        assert took < 2.5, took
        for transport, client in clients.items():
            reason, event = dropped[transport]
            assert event.wait(WAIT)
            # A lost connection, not "server disconnect": the client reconnects.
            assert reason == "transport error", (transport, reason)
            assert client._reconnect_task is not None, transport
    finally:
        for client in clients.values():
            client.disconnect()

    lines = [json.loads(line) for line in node.log.read_text().splitlines() if line.startswith("{")]
    sockets = [line for line in lines if line.get("event", "").startswith("socket_")]
    connects = [s for s in sockets if s["event"] == "socket_connect"]
    disconnects = [s for s in sockets if s["event"] == "socket_disconnect"]
    assert sorted(s["transport"] for s in connects) == ["polling", "websocket"]
    assert {s["sid"] for s in connects} == {s["sid"] for s in disconnects}
    for line in sockets:
        assert line["logger"] == "guildhall.access" and line["client"] == "127.0.0.1"
    for line in disconnects:
        assert line["user_id"] == alice.user["id"]  # type: ignore[attr-defined]
        assert line["reason"] == "transport close" and line["seconds"] >= 0
