"""Redis goes away and comes back: REST keeps answering honestly, and broadcasts
and presence recover without restarting the servers.

The test runs its own redis-server on a free port (not the machine's shared one),
so stopping it disturbs nothing else.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests

from tests.conftest import BACKEND, free_port, unavailable
from tests.e2e.conftest import guild_with_member, register
from tests.e2e.test_multinode_e2e import Socket

pytestmark = [
    pytest.mark.skipif(
        BACKEND != "postgres",
        reason="the outage is of the scaled-out mode's Redis (runs in the scaled-out suite)",
    ),
]


class PrivateRedis:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed (Debian's redis-server package)")
    r = PrivateRedis(tmp_path)
    r.start()
    yield r
    r.stop()


def eventually(check, wait: float = 20.0) -> None:
    deadline = time.monotonic() + wait
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.2)


def test_outage_and_recovery(spawn_server, private_redis):
    env = {"GUILDHALL_REDIS_URL": private_redis.url}
    n1, n2 = spawn_server(**env), spawn_server(**env)
    alice, bob, gid, cid = guild_with_member(n1, n2, "Outage")
    room = f"g:{gid}:c:{cid}"
    a, b = Socket(n1.url, alice.user["token"]), Socket(n2.url, bob.user["token"])
    try:
        assert (
            a.call("join_room", {"room": room})["ok"] and b.call("join_room", {"room": room})["ok"]
        )

        private_redis.stop()
        # REST keeps working; readiness tells the load balancer the truth.
        r = alice.post(f"{n1.url}/api/channels/{cid}/messages", json={"content": "during outage"})
        assert r.status_code == 201
        a.expect("new_message", lambda m: m["content"] == "during outage")  # same node: delivered
        assert register(n1.url, "carol").user["username"] == "carol"
        ready = requests.get(f"{n1.url}/readyz")
        assert ready.status_code == 503 and ready.json()["details"]["redis"].startswith("error")

        private_redis.start()  # empty: Redis kept nothing
        eventually(lambda: requests.get(f"{n1.url}/readyz").status_code == 200)

        # Broadcasts recover: keep sending until node 2 hears node 1 again.
        def crosses() -> bool:
            marker = f"after recovery {time.monotonic()}"
            alice.post(f"{n1.url}/api/channels/{cid}/messages", json={"content": marker})
            try:
                b.expect("new_message", lambda m: m["content"] == marker)
                return True
            except AssertionError:
                return False

        eventually(crosses, wait=30)

        # Presence recovers: node 1 sees bob (whose socket is on node 2) online again.
        def bob_online_on_node1() -> bool:
            members = alice.get(f"{n1.url}/api/guilds/{gid}/members").json()
            return next(m["status"] for m in members if m["username"] == "bob") == "online"

        eventually(bob_online_on_node1, wait=30)
    finally:
        a.close()
        b.close()
