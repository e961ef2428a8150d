"""Attacks on the socket layer of the real ``guildhall serve`` process (contract
section 19): binary attachments that python-socketio would keep, junk frames that
used to fill the log with tracebacks, sockets that never sign in, and too many
unauthenticated sockets from one address."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
import socketio
import websocket

from tests.e2e.conftest import ServerProcess, register, spawn_server  # noqa: F401 (fixture)
from tests.security.patient import patient_start  # noqa: F401 (fixture)
from tests.security.test_hostile_http import rss_kb

pytestmark = pytest.mark.e2e

MB = 1024 * 1024
# python-socketio would wait for this many attachments before decoding the event.
BILLIONS = '459999999999-["x",{"_placeholder":true,"num":0}]'
CHUNK = 48_000  # under the 64 KiB packet limit, base64 included


def ws_url(live: ServerProcess) -> str:
    return f"ws://127.0.0.1:{live.port}/socket.io/?EIO=4&transport=websocket"


def ws_open(live: ServerProcess, headers: list[str] | None = None) -> websocket.WebSocket:
    """A raw Engine.IO WebSocket, signed in to no one, Socket.IO namespace joined."""
    ws = websocket.create_connection(ws_url(live), timeout=5, header=headers or [])
    assert ws.recv().startswith("0{")
    ws.send("40")
    assert ws.recv().startswith("40{")
    return ws


def closed_by_server(ws: websocket.WebSocket, within: float = 5) -> bool:
    """True once the server has ended the connection (Engine.IO pings are answered)."""
    ws.settimeout(within)
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            frame = ws.recv()
            if frame == "2":
                ws.send("3")
            elif frame == "":  # the closing handshake
                return True
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        return True
    except websocket.WebSocketTimeoutException:
        return False
    return False


class Polling:
    """A raw Engine.IO polling client."""

    def __init__(self, live: ServerProcess, headers: dict[str, str] | None = None) -> None:
        self.base = f"{live.url}/socket.io/?EIO=4&transport=polling"
        self.http = requests.Session()
        self.http.headers.update(headers or {})
        r = self.http.get(self.base, timeout=5)
        self.status = r.status_code
        self.sid = json.loads(r.text[1:])["sid"] if r.ok else None

    def post(self, body: str) -> int:
        r = self.http.post(f"{self.base}&sid={self.sid}", data=body.encode(), timeout=5)
        return r.status_code


class RssPeak:
    """The server's largest RSS while the block runs, sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.before = rss_kb(pid)
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_kb(self.pid))

    def __enter__(self) -> RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        time.sleep(0.5)  # whatever the server still holds from the attack
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kb(self.pid))

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.before) / 1024


def healthy(live: ServerProcess) -> None:
    client = socketio.Client(reconnection=False)
    alice = register(live.url, f"probe{time.monotonic_ns()}")
    client.connect(live.url, auth={"token": alice.cookies["session"]}, wait_timeout=10)
    client.disconnect()


@pytest.fixture
def live(spawn_server: Callable[..., ServerProcess]) -> ServerProcess:  # noqa: F811
    return spawn_server()


class TestBinaryAttachments:
    """Finding (high): a binary-event header announcing billions of attachments,
    then binary frames; python-socketio kept them all (RSS 232 -> 538 MB for
    400 MB sent), with no login."""

    def test_over_websocket_nothing_is_buffered(self, live):
        total, per_socket = 120 * MB, 20 * MB
        sent = 0
        payload = b"\0" * CHUNK
        sockets = []
        with RssPeak(live.proc.pid) as rss:
            while sent < total:  # the attacker keeps every socket open
                ws = ws_open(live)
                sockets.append(ws)
                ws.send(BILLIONS)
                try:
                    for _ in range(per_socket // CHUNK):
                        ws.send_binary(payload)
                        sent += CHUNK
                except (websocket.WebSocketConnectionClosedException, ConnectionError):
                    sent = (sent // per_socket + 1) * per_socket
        closed = [closed_by_server(ws, within=2) for ws in sockets]
        for ws in sockets:
            ws.close()
        assert rss.growth_mb < 40, f"RSS grew {rss.growth_mb:.0f} MB for {sent / MB:.0f} MB sent"
        assert all(closed)
        healthy(live)

    def test_over_polling_nothing_is_buffered(self, live):
        total = 40 * MB
        sent = connections = 0
        attachment = "b" + base64.b64encode(b"\0" * CHUNK).decode()
        with RssPeak(live.proc.pid) as rss:
            while sent < total and connections < 2000:
                poll = Polling(live)
                connections += 1
                assert poll.post("40") == 200
                poll.post(BILLIONS)
                while sent < total:
                    status = poll.post(attachment)
                    sent += CHUNK
                    if status != 200:
                        break
        assert rss.growth_mb < 25, f"RSS grew {rss.growth_mb:.0f} MB for {sent / MB:.0f} MB sent"
        assert connections > 1
        healthy(live)

    def test_a_binary_packet_closes_the_socket(self, live):
        ws = ws_open(live)
        ws.send(BILLIONS)
        assert closed_by_server(ws)
        poll = Polling(live)
        assert poll.post("40") == 200
        assert poll.post("b" + base64.b64encode(b"x").decode()) == 400
        assert poll.post("40") == 400  # the socket is gone


class TestMalformedFrames:
    """Finding: 5000 one-byte frames -> 2.9 MB of log (a traceback each)."""

    def test_a_bad_frame_closes_the_socket_and_logs_one_line(self, live):
        for frame in ["4", "x", "9", "", "42", "43", "4x", "451-[]", "4\x00"]:
            before = live.log.stat().st_size
            ws = ws_open(live)
            try:
                for _ in range(5000):
                    ws.send(frame)
            except (websocket.WebSocketConnectionClosedException, ConnectionError):
                pass
            assert closed_by_server(ws), frame
            ws.close()
            sockets = 1
            if frame:  # an empty POST carries no packet at all
                poll = Polling(live)
                for _ in range(50):
                    if poll.post(frame) != 200:
                        break
                assert poll.post("40") == 400, frame  # closed
                sockets += 1
            time.sleep(0.3)
            with live.log.open() as log:
                log.seek(before)
                logged = log.read()
            assert "Traceback" not in logged
            refusals = [line for line in logged.splitlines() if "socket closed" in line]
            assert len(refusals) == sockets, (frame, logged[-3000:])
            assert len(logged) < 4000, frame
        healthy(live)


class TestUnauthenticatedSockets:
    def test_a_socket_that_does_not_sign_in_is_closed(self, spawn_server):  # noqa: F811
        live = spawn_server(GUILDHALL_SOCKET_AUTH_TIMEOUT="1")
        alice = register(live.url, "alice")
        idle = ws_open(live)
        bare = websocket.create_connection(ws_url(live), timeout=5)  # no Socket.IO connect
        signed_in = socketio.Client(reconnection=False)
        signed_in.connect(live.url, auth={"token": alice.cookies["session"]}, wait_timeout=10)
        late = socketio.Client(reconnection=False)
        late.connect(live.url, wait_timeout=10)
        assert late.call("authenticate", {"token": alice.cookies["session"]}, timeout=5)["ok"]
        assert closed_by_server(idle, within=4)
        assert closed_by_server(bare, within=4)
        time.sleep(1.5)
        assert signed_in.connected and late.connected
        assert signed_in.call("typing", {"room": "g:1:c:1"}, timeout=5)["ok"] is False
        signed_in.disconnect()
        late.disconnect()

    def test_at_most_n_unauthenticated_sockets_per_address(self, spawn_server):  # noqa: F811
        live = spawn_server(GUILDHALL_SOCKETS_PER_IP="3")
        alice = register(live.url, "alice")
        held = [ws_open(live), Polling(live), ws_open(live)]
        refused = Polling(live)
        assert refused.status == 401 and refused.sid is None
        with pytest.raises(websocket.WebSocketException):
            ws_open(live)
        # A socket that closes frees its slot; one that signs in no longer counts.
        held[0].close()
        time.sleep(0.5)
        client = socketio.Client(reconnection=False)
        client.connect(live.url, auth={"token": alice.cookies["session"]}, wait_timeout=10)
        assert client.connected
        again = Polling(live)
        assert again.status == 200
        assert Polling(live).status == 401
        client.disconnect()

    def test_the_address_is_the_one_rest_computes(self, spawn_server):  # noqa: F811
        """Behind a trusted proxy every client has its own count (X-Forwarded-For);
        a forged header from an untrusted peer changes nothing."""
        live = spawn_server(GUILDHALL_SOCKETS_PER_IP="2", GUILDHALL_TRUSTED_PROXIES="127.0.0.1")
        first = [Polling(live, {"X-Forwarded-For": "203.0.113.1"}) for _ in range(2)]
        assert all(p.status == 200 for p in first)
        assert Polling(live, {"X-Forwarded-For": "203.0.113.1"}).status == 401
        assert Polling(live, {"X-Forwarded-For": "203.0.113.2"}).status == 200
        ws = ws_open(live, ["X-Forwarded-For: 203.0.113.3"])
        ws.close()
        untrusted = spawn_server(GUILDHALL_SOCKETS_PER_IP="2")
        forged = [Polling(untrusted, {"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(3)]
        assert [p.status for p in forged] == [200, 200, 401]
