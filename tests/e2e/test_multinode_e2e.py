"""Two real server processes sharing one PostgreSQL and one Redis.

A client on node 1 and a client on node 2 must behave as if there were one
server: messages, typing, reactions and presence cross nodes; rate limits and
invite uses are counted once; logging out on one node ends sockets on the other.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
import socketio

from tests.conftest import BACKEND
from tests.e2e.conftest import ServerProcess, guild_with_member, register

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres",
    reason="several nodes need the shared PostgreSQL + Redis (runs in the scaled-out suite)",
)

WAIT = 10.0


class Socket:
    """A stock python-socketio client that queues every event it receives."""

    def __init__(self, base: str, token: str) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.disconnected = threading.Event()
        self.client.on(
            "*", lambda event, *args: self.events.put((event, args[0] if args else None))
        )
        self.client.on("disconnect", lambda *_: self.disconnected.set())
        self.client.connect(base, auth={"token": token}, transports=["websocket"], wait_timeout=10)

    def call(self, event: str, data: Any) -> Any:
        return self.client.call(event, data, timeout=WAIT)

    def expect(self, event: str, where: Callable[[Any], bool] = lambda _: True) -> Any:
        deadline = time.monotonic() + WAIT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {event!r} within {WAIT}s")
            try:
                name, data = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if name == event and where(data):
                return data

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()


@pytest.fixture
def nodes(spawn_server: Callable[..., ServerProcess]) -> tuple[ServerProcess, ServerProcess]:
    shared = {"GUILDHALL_API_RATE_LIMIT": "off"}
    return spawn_server(**shared), spawn_server(**shared)


@pytest.fixture
def sockets() -> Any:
    opened: list[Socket] = []

    def open_socket(base: str, token: str) -> Socket:
        s = Socket(base, token)
        opened.append(s)
        return s

    yield open_socket
    for s in opened:
        s.close()


def _both_in_room(
    n1: ServerProcess, n2: ServerProcess, sockets: Any, alice: Any, bob: Any, gid: int, cid: int
) -> tuple[str, Socket, Socket]:
    """Alice's socket on node 1 and bob's on node 2, both in the channel's room."""
    room = f"g:{gid}:c:{cid}"
    a = sockets(n1.url, alice.user["token"])
    b = sockets(n2.url, bob.user["token"])
    assert a.call("join_room", {"room": room})["ok"]
    assert b.call("join_room", {"room": room})["ok"]
    return room, a, b


class TestCrossNodeDelivery:
    def test_messages_typing_and_reactions_cross_nodes(self, nodes, sockets):
        n1, n2 = nodes
        alice, bob, gid, cid = guild_with_member(n1, n2)
        room, a, b = _both_in_room(n1, n2, sockets, alice, bob, gid, cid)

        sent = a.call("send_message", {"room": room, "content": "hello from node 1"})
        assert sent["ok"]
        got = b.expect("new_message", lambda m: m["content"] == "hello from node 1")
        assert got["author_id"] == alice.user["id"] and got["channel_id"] == cid

        r = bob.post(f"{n2.url}/api/channels/{cid}/messages", json={"content": "hi from node 2"})
        assert r.status_code == 201
        a.expect("new_message", lambda m: m["content"] == "hi from node 2")

        b.client.emit("typing", {"room": room})
        typing = a.expect("user_typing")
        assert typing["username"] == "bob" and typing["room"] == room

        mid = got["id"]
        assert b.call("add_reaction", {"room": room, "message_id": mid, "emoji": "👍"})["ok"]
        reaction = a.expect("reaction_added")
        assert reaction["message_id"] == mid and reaction["username"] == "bob"

    def test_presence_agrees_on_both_nodes(self, nodes, sockets):
        n1, n2 = nodes
        alice, bob, gid, _ = guild_with_member(n1, n2)

        def status_on(node: ServerProcess, username: str) -> str:
            members = alice.get(f"{node.url}/api/guilds/{gid}/members").json()
            return next(m["status"] for m in members if m["username"] == username)

        assert status_on(n1, "bob") == status_on(n2, "bob") == "offline"
        b = sockets(n2.url, bob.user["token"])
        assert status_on(n1, "bob") == "online" and status_on(n2, "bob") == "online"
        b.close()
        deadline = time.monotonic() + WAIT
        while status_on(n1, "bob") != "offline" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status_on(n1, "bob") == status_on(n2, "bob") == "offline"


class TestSharedState:
    def test_api_rate_limit_is_counted_across_nodes(self, spawn_server):
        n1 = spawn_server(GUILDHALL_API_RATE_LIMIT="6/minute")
        n2 = spawn_server(GUILDHALL_API_RATE_LIMIT="6/minute")
        answers = [
            requests.get(f"{(n1 if i % 2 else n2).url}/api/me").status_code for i in range(8)
        ]
        assert answers[:6] == [401] * 6
        assert answers[6:] == [429, 429]

    def test_invite_race_across_nodes(self, nodes):
        n1, n2 = nodes
        owner = register(n1.url, "owner")
        gid = owner.post(f"{n1.url}/api/guilds", json={"name": "Race"}).json()["id"]
        code = owner.post(f"{n1.url}/api/guilds/{gid}/invites", json={"max_uses": 1}).json()["code"]
        racers = [register((n1, n2)[i % 2].url, f"racer{i}") for i in range(8)]
        barrier = threading.Barrier(len(racers))

        def join(i: int) -> int:
            barrier.wait()
            return racers[i].post(f"{(n1, n2)[i % 2].url}/api/invites/{code}/join").status_code

        with ThreadPoolExecutor(len(racers)) as pool:
            results = list(pool.map(join, range(len(racers))))
        assert results.count(200) == 1, results
        members = owner.get(f"{n1.url}/api/guilds/{gid}/members").json()
        assert len(members) == 2

    def test_logout_on_one_node_disconnects_sockets_on_the_other(self, nodes, sockets):
        n1, n2 = nodes
        alice = register(n1.url, "alice")
        s = sockets(n2.url, alice.user["token"])
        assert s.client.connected
        assert alice.post(f"{n1.url}/api/logout").status_code == 200
        assert s.disconnected.wait(WAIT), "socket on node 2 still connected after logout on node 1"


class TestRevokeAcrossNodes:
    def test_view_channel_revoked_on_node_1_while_bob_sends_on_node_2(self, nodes, sockets):
        """Section 13: the socket leaves the room on every node before the change is
        answered. Bob (node 2) sends in a loop while alice (node 1) denies him
        VIEW_CHANNEL: after her PUT answered, none of his sends is accepted and
        nothing posted reaches him; what alice heard from him is what history holds."""
        n1, n2 = nodes
        alice, bob, gid, cid = guild_with_member(n1, n2)
        room, a, b = _both_in_room(n1, n2, sockets, alice, bob, gid, cid)
        revoked, stop = threading.Event(), threading.Event()
        progress = threading.Condition()
        results: list[tuple[bool, Any]] = []

        def until(condition: Callable[[], bool]) -> None:
            with progress:
                assert progress.wait_for(condition, timeout=WAIT)

        def bob_sends() -> None:
            i = 0
            while not stop.is_set():
                after = revoked.is_set()
                ack = b.call("send_message", {"room": room, "content": f"b{i}"})
                with progress:
                    results.append((after, ack))
                    progress.notify_all()
                i += 1

        with ThreadPoolExecutor(1) as pool:
            done = pool.submit(bob_sends)
            until(lambda: len(results) >= 3)
            deny = {"type": "member", "deny": str(1 << 10)}
            r = alice.put(f"{n1.url}/api/channels/{cid}/permissions/{bob.user['id']}", json=deny)
            assert r.status_code == 200, r.text
            revoked.set()
            after_put = alice.post(f"{n1.url}/api/channels/{cid}/messages", json={"content": "x"})
            assert after_put.status_code == 201
            until(lambda: sum(after for after, _ in results) >= 3)
            stop.set()
            done.result()
        for after, ack in results:
            if after:
                assert ack["ok"] is False and ack["code"] == "INSUFFICIENT_PERMISSIONS", ack
        marker = alice.post(f"{n1.url}/api/channels/{cid}/messages", json={"content": "marker"})
        heard: set[int] = set()
        while (m := a.expect("new_message"))["id"] != marker.json()["id"]:
            if m["author_id"] == bob.user["id"]:
                heard.add(m["id"])
        # Bob's node got the marker's event after the room change: he heard neither.
        assert b.call("leave_room", {"room": f"g:{gid}:c:999999"})["ok"]  # a round trip
        to_bob = []
        while not b.events.empty():
            name, data = b.events.get_nowait()
            if name == "new_message":
                to_bob.append(data["id"])
        assert after_put.json()["id"] not in to_bob and marker.json()["id"] not in to_bob
        accepted = {ack["message"]["id"] for _, ack in results if ack.get("ok")}
        page = alice.get(f"{n1.url}/api/channels/{cid}/messages?limit=100").json()["messages"]
        in_history = {m["id"] for m in page if m["author_id"] == bob.user["id"]}
        assert heard == in_history == accepted
