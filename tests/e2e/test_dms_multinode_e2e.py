"""Direct messages across two server processes sharing PostgreSQL and Redis: a DM
made on node 1 reaches sockets on node 2 without joining, and a group member
removed on node 1 stops receiving on node 2 at once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import BACKEND
from tests.e2e.conftest import register
from tests.e2e.test_multinode_e2e import nodes, sockets  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres",
    reason="several nodes need the shared PostgreSQL + Redis (runs in the scaled-out suite)",
)


def befriend(base: str, a: Any, b: Any) -> None:
    assert a.post(f"{base}/api/friends/request", json={"to": b.user["username"]}).ok
    assert b.post(f"{base}/api/friends/accept", json={"from": a.user["username"]}).ok


def test_dm_events_cross_nodes_and_a_removal_stops_them_everywhere(nodes, sockets):  # noqa: F811
    n1, n2 = nodes
    alice, bob, carol = (register(n1.url, n) for n in ("alice", "bob", "carol"))
    befriend(n1.url, alice, bob)
    befriend(n1.url, alice, carol)
    b = sockets(n2.url, bob.user["token"])
    c = sockets(n2.url, carol.user["token"])

    dm = alice.post(f"{n1.url}/api/users/@me/channels", json={"recipient_id": bob.user["id"]})
    assert dm.status_code == 200
    dm_id = dm.json()["id"]
    assert b.expect("dm_channel_created")["id"] == dm_id
    alice.post(f"{n1.url}/api/channels/{dm_id}/messages", json={"content": "across nodes"})
    got = b.expect("new_message", lambda m: m["content"] == "across nodes")
    assert got["guild_id"] is None

    group = alice.post(
        f"{n1.url}/api/users/@me/channels",
        json={"recipient_ids": [bob.user["id"], carol.user["id"]]},
    ).json()
    gid = group["id"]
    b.expect("dm_channel_created", lambda d: d["id"] == gid)
    c.expect("dm_channel_created", lambda d: d["id"] == gid)
    r = alice.delete(f"{n1.url}/api/channels/{gid}/recipients/{bob.user['id']}")
    assert r.status_code == 200
    b.expect("dm_channel_deleted", lambda d: d["id"] == gid)
    alice.post(f"{n1.url}/api/channels/{gid}/messages", json={"content": "after bob left"})
    c.expect("new_message", lambda m: m["content"] == "after bob left")
    # Bob's node delivered the removal before the message (same order on every node).
    assert b.call("typing", {"room": f"dm:{gid}"})["code"] == "NOT_CHANNEL_MEMBER"
    seen = []
    while not b.events.empty():
        seen.append(b.events.get_nowait())
    assert [d for name, d in seen if name == "new_message"] == []
