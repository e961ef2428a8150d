"""The real server process with stock Socket.IO clients: python-socketio's sync
client over the three ways of signing in, and the JavaScript socket.io-client
(npm) joining a room, hearing a message and sending one."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.e2e.conftest import register

pytestmark = pytest.mark.e2e

JS_DIR = Path(__file__).parent / "js"
WAIT = 10


def make_guild(base: str, owner: requests.Session) -> tuple[int, int]:
    r = owner.post(f"{base}/api/guilds", json={"name": "E2E"})
    assert r.status_code == 201, r.text
    gid = r.json()["id"]
    r = owner.post(f"{base}/api/guilds/{gid}/channels", json={"name": "general"})
    assert r.status_code == 201, r.text
    return gid, r.json()["id"]


class Listener:
    """A sync python-socketio client that queues every event it receives."""

    def __init__(self) -> None:
        self.client = socketio.Client(reconnection=False)
        self.inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.client.on("*", lambda event, data=None: self.inbox.put((event, data)))

    def next(self, name: str) -> Any:
        while True:
            event, data = self.inbox.get(timeout=WAIT)
            if event == name:
                return data


@contextmanager
def listening(url: str, **connect: Any) -> Iterator[Listener]:
    """A ``Listener`` connected to ``url`` (``connect``: how it signs in, which
    transports), disconnected afterwards."""
    listener = Listener()
    listener.client.connect(url, wait_timeout=WAIT, **connect)
    try:
        yield listener
    finally:
        listener.client.disconnect()


@pytest.fixture
def guild(live: Any) -> dict[str, Any]:
    alice = register(live.url, "alice")
    gid, cid = make_guild(live.url, alice)
    return {"alice": alice, "room": f"g:{gid}:c:{cid}", "channel": cid}


def chat_round_trip(live: Any, guild: dict[str, Any], listener: Listener) -> None:
    ack = listener.client.call("join_room", {"room": guild["room"]}, timeout=WAIT)
    assert ack == {"ok": True, "room": guild["room"]}
    assert listener.next("joined_room") == {"room": guild["room"], "seq": 0}
    assert listener.next("messages_history") == []
    ack = listener.client.call(
        "send_message", {"room": guild["room"], "content": "hi"}, timeout=WAIT
    )
    assert ack["ok"] is True and ack["message"]["username"] == "alice"
    assert listener.next("new_message") == {**ack["message"], "seq": 1}


class TestPythonClientSignsIn:
    def test_with_the_session_cookie(self, live, guild):
        token = guild["alice"].cookies["session"]
        with listening(live.url, headers={"Cookie": f"session={token}"}) as listener:
            chat_round_trip(live, guild, listener)

    def test_with_the_handshake_token(self, live, guild):
        token = guild["alice"].user["token"]
        with listening(live.url, auth={"token": token}, transports=["websocket"]) as listener:
            chat_round_trip(live, guild, listener)

    def test_with_the_authenticate_event(self, live, guild):
        with listening(live.url, transports=["polling"]) as listener:
            ack = listener.client.call("join_room", {"room": guild["room"]}, timeout=WAIT)
            assert ack["ok"] is False and ack["code"] == "AUTH_REQUIRED"
            listener.client.emit("authenticate", {"token": guild["alice"].user["token"]})
            me = guild["alice"].user
            assert listener.next("authenticated") == {"id": me["id"], "username": "alice"}
            chat_round_trip(live, guild, listener)

    def test_logout_disconnects_the_socket(self, live, guild):
        listener = Listener()
        token = guild["alice"].user["token"]
        listener.client.connect(live.url, auth={"token": token}, wait_timeout=WAIT)
        assert guild["alice"].post(f"{live.url}/api/logout").status_code == 200
        listener.client.sleep(0)  # let the client's threads see the disconnect
        for _ in range(100):
            if not listener.client.connected:
                break
            listener.client.sleep(0.05)
        assert not listener.client.connected

    def test_foreign_origin_is_refused(self, live, guild):
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(
                live.url,
                headers={"Origin": "https://evil.example"},
                auth={"token": guild["alice"].user["token"]},
                wait_timeout=WAIT,
            )


def _npm_ready() -> None:
    if (JS_DIR / "node_modules" / "socket.io-client").is_dir():
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed for the JavaScript client test"
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, capture_output=True
    )


class TestJavaScriptClient:
    @pytest.mark.parametrize(
        "transports", ["", "websocket", "polling"], ids=["upgrade", "websocket", "polling"]
    )
    def test_joins_hears_and_sends(self, live, guild, transports):
        _npm_ready()
        bob = register(live.url, "bob")
        r = guild["alice"].post(f"{live.url}/api/guilds/{guild['room'].split(':')[1]}/invites")
        assert r.status_code == 201, r.text
        assert bob.post(f"{live.url}/api/invites/{r.json()['code']}/join").status_code == 200
        seed = bob.post(
            f"{live.url}/api/channels/{guild['channel']}/messages", json={"content": "before"}
        )
        assert seed.status_code == 201
        node = shutil.which("node")
        assert node, "node is needed for the JavaScript client test"
        proc = subprocess.Popen(
            [node, "client.mjs", live.url, guild["alice"].user["token"], guild["room"], transports],
            cwd=JS_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            steps: dict[str, Any] = {}

            def step() -> dict[str, Any]:
                line = proc.stdout.readline()  # type: ignore[union-attr]
                assert line, proc.stderr.read()  # type: ignore[union-attr]
                data = json.loads(line)
                assert data["step"] != "error", data
                steps[data["step"]] = data
                return data

            joined = step()
            assert joined["ack"] == {"ok": True, "room": guild["room"]}
            assert joined["joined"] == {"room": guild["room"], "seq": 1}
            assert [m["content"] for m in joined["history"]] == ["before"]
            assert step()["step"] == "ready"
            sent = bob.post(
                f"{live.url}/api/channels/{guild['channel']}/messages",
                json={"content": "from bob"},
            )
            assert sent.status_code == 201
            heard = step()
            assert heard["message"] == {**sent.json(), "seq": 2}
            final = step()
            assert final["ack"]["ok"] is True
            # The event is the ack's message numbered in the channel (section 18).
            assert final["echo"] == {**final["ack"]["message"], "seq": 3}
            assert final["echo"]["content"] == "hello from socket.io-client ✓"
            assert final["echo"]["username"] == "alice" and final["echo"]["nonce"] == "js-1"
            # By default upgraded from polling; else the one transport asked for.
            assert final["transport"] == (transports or "websocket")
            assert proc.wait(timeout=WAIT) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        history = bob.get(f"{live.url}/api/channels/{guild['channel']}/messages").json()
        assert [m["content"] for m in history["messages"]] == [
            "before",
            "from bob",
            "hello from socket.io-client ✓",
        ]
