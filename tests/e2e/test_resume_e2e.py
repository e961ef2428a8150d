"""Lossless reconnect against real server processes (contract section 18): resume
after a server restart (both engines), across nodes, and gap-free numbering with
REST and socket senders on two nodes writing one channel at once (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conftest import BACKEND
from tests.e2e.conftest import ServerProcess, guild_with_member
from tests.e2e.test_multinode_e2e import Socket

NUMBERED = ("new_message", "message_edited", "message_deleted", "reaction_added")
multinode = pytest.mark.skipif(
    BACKEND != "postgres", reason="several nodes need the shared PostgreSQL + Redis"
)


def _guild(n1: ServerProcess, n2: ServerProcess) -> tuple[Any, Any, int, str]:
    alice, bob, gid, cid = guild_with_member(n1, n2)
    return alice, bob, cid, f"g:{gid}:c:{cid}"


def _heard_one_then_left(base: str, alice: Any, bob: Any, cid: int, room: str) -> None:
    """bob's socket on ``base`` joins the room, hears alice's first message (seq 1)
    and goes away."""
    sock = Socket(base, bob.user["token"])
    assert sock.call("join_room", {"room": room})["ok"]
    assert alice.post(f"{base}/api/channels/{cid}/messages", json={"content": "one"}).ok
    assert sock.expect("new_message")["seq"] == 1
    sock.close()


def _changes_while_away(base: str, alice: Any, cid: int) -> dict[str, int]:
    post = f"{base}/api/channels/{cid}/messages"
    keep = alice.post(post, json={"content": "while away"}).json()["id"]
    gone = alice.post(post, json={"content": "regretted"}).json()["id"]
    assert alice.put(f"{base}/api/messages/{keep}", json={"content": "edited"}).ok
    assert alice.put(f"{base}/api/messages/{keep}/reactions/👍").ok
    assert alice.delete(f"{base}/api/messages/{gone}").ok
    return {"keep": keep, "gone": gone}


def _replayed(sock: Socket, room: str) -> list[tuple[str, Any]]:
    """Events up to ``resumed`` for ``room``, in arrival order."""
    got = []
    while True:
        name, data = sock.events.get(timeout=10)
        if name == "resumed" and data["room"] == room:
            return got
        if name in NUMBERED:
            got.append((name, data))


def _resume_replays(sock: Socket, room: str, ids: dict[str, int]) -> None:
    """``sock`` resumes ``room`` from seq 1 and is replayed the changes made while
    it was away (``_changes_while_away``), in order."""
    ack = sock.call("resume", {"rooms": {room: 1}})
    assert ack == {"ok": True, "rooms": {room: {"status": "resumed", "seq": 6}}}
    _check_replay(_replayed(sock, room), 1, ids)


def _check_replay(got: list[tuple[str, Any]], after: int, ids: dict[str, int]) -> None:
    assert [d["seq"] for _, d in got] == list(range(after + 1, after + 6))
    assert [n for n, _ in got] == [
        "new_message",
        "message_deleted",  # the regretted message's new_message, without content
        "message_edited",
        "reaction_added",
        "message_deleted",
    ]
    assert got[0][1]["id"] == ids["keep"] and got[2][1]["content"] == "edited"
    assert "regretted" not in repr(got)


def test_resume_after_a_server_restart(spawn_server: Callable[..., ServerProcess]) -> None:
    node = spawn_server()
    alice, bob, cid, room = _guild(node, node)
    _heard_one_then_left(node.url, alice, bob, cid, room)

    node.stop()
    node.start()
    ids = _changes_while_away(node.url, alice, cid)
    again = Socket(node.url, bob.user["token"])
    try:
        _resume_replays(again, room, ids)
    finally:
        again.close()


@multinode
def test_disconnect_from_one_node_resume_on_the_other(
    spawn_server: Callable[..., ServerProcess],
) -> None:
    n1, n2 = spawn_server(), spawn_server()
    alice, bob, cid, room = _guild(n1, n2)
    _heard_one_then_left(n1.url, alice, bob, cid, room)
    ids = _changes_while_away(n1.url, alice, cid)
    on_b = Socket(n2.url, bob.user["token"])
    try:
        _resume_replays(on_b, room, ids)
        # Live again on node 2 for what node 1 commits next.
        assert alice.post(f"{n1.url}/api/channels/{cid}/messages", json={"content": "x"}).ok
        assert on_b.expect("new_message")["seq"] == 7
    finally:
        on_b.close()


@multinode
def test_two_nodes_rest_and_socket_senders_number_one_channel_gap_free(
    spawn_server: Callable[..., ServerProcess],
) -> None:
    n1, n2 = spawn_server(), spawn_server()
    alice, bob, cid, room = _guild(n1, n2)
    listeners = [Socket(n.url, alice.user["token"]) for n in (n1, n2)]
    senders = [Socket(n.url, bob.user["token"]) for n in (n1, n2)]
    try:
        for s in listeners:
            assert s.call("join_room", {"room": room})["ok"]
        per = 20

        def over_rest(i: int) -> int:
            node, who = (n1, alice) if i % 2 else (n2, bob)
            r = who.post(f"{node.url}/api/channels/{cid}/messages", json={"content": f"r{i}"})
            assert r.status_code == 201, r.text
            return r.json()["id"]

        def over_socket(i: int) -> int:
            ack = senders[i % 2].call("send_message", {"room": room, "content": f"s{i}"})
            assert ack["ok"], ack
            return ack["message"]["id"]

        with ThreadPoolExecutor(8) as pool:
            rest = [pool.submit(over_rest, i) for i in range(per * 2)]
            sock = [pool.submit(over_socket, i) for i in range(per * 2)]
            ids = [f.result() for f in rest + sock]
        total = len(ids)
        for s in listeners:
            heard = []
            while len(heard) < total:
                heard.append(s.expect("new_message"))
            # Each node hands out the channel's events gap-free and in order, and
            # message ids follow the same order.
            assert [m["seq"] for m in heard] == list(range(1, total + 1))
            assert [m["id"] for m in heard] == sorted(ids)
    finally:
        for s in listeners + senders:
            s.close()
