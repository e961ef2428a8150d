"""Crash durability: a real server is killed with SIGKILL mid-stream; after a
restart on the same data every message it acknowledged with 201 is there exactly
once, resending the unacknowledged ones with their nonces adds no duplicate, and
the SQLite file is intact (``PRAGMA integrity_check``, the FTS index, the
trigger-kept counts).

The kill points are random but seeded (reproducible), a few per run, each bounded
in messages and time.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import BACKEND
from tests.e2e.conftest import ServerProcess, register, spawn_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e

ROUNDS = 3
SENDERS = 2  # concurrent streams: more requests in flight at the kill
MAX_PER_SENDER = 400  # a bound, whatever the timing


@dataclass
class Stream:
    """What one sender thread sent and what the server acknowledged."""

    acked: dict[str, int] = field(default_factory=dict)  # nonce -> message id
    unacked: list[str] = field(default_factory=list)  # in flight or never answered


def send_until_dead(session: requests.Session, url: str, prefix: str, stream: Stream) -> None:
    for i in range(MAX_PER_SENDER):
        nonce = f"{prefix}-{i}"
        try:
            r = session.post(url, json={"content": nonce, "nonce": nonce}, timeout=10)
        except requests.RequestException:
            stream.unacked.append(nonce)
            return
        if r.status_code == 201:
            stream.acked[nonce] = r.json()["id"]
        else:
            stream.unacked.append(nonce)
            return


def clone(session: requests.Session) -> requests.Session:
    """Another connection pool with the same sign-in (sessions are not thread-safe)."""
    s = requests.Session()
    s.cookies.update(session.cookies)
    s.headers.update(session.headers)
    return s


def all_messages(session: requests.Session, base: str, channel_id: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = 0
    while True:
        r = session.get(
            f"{base}/api/channels/{channel_id}/messages",
            params={"after": after, "limit": 100},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        page = r.json()["messages"]
        if not page:
            return out
        out += page
        after = page[-1]["id"]


def check_sqlite_file(db: Path) -> None:
    """The file a killed process left behind, opened as any SQLite tool would."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # FTS5's own check: the full-text index matches the messages it indexes.
        conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")
        drift = conn.execute(
            "SELECT c.id, c.message_count, count(m.id) FROM channels c "
            "LEFT JOIN messages m ON m.channel_id = c.id GROUP BY c.id "
            "HAVING c.message_count != count(m.id)"
        ).fetchall()
        assert drift == [], "trigger-kept message counts drifted"
    finally:
        conn.close()


class TestKilledServer:
    def test_acknowledged_messages_survive_sigkill_exactly_once(
        self,
        spawn_server: Callable[..., ServerProcess],  # noqa: F811
        tmp_path: Path,
    ):
        rng = random.Random(20261127)
        data_dir = tmp_path / "crash-data"
        # The default (WAL, synchronous=NORMAL), stated so a changed default is seen.
        env = {"GUILDHALL_SQLITE_SYNCHRONOUS": "NORMAL"}
        server = spawn_server(data_dir=data_dir, **env)
        owner = register(server.url, "durable")
        gid = owner.post(f"{server.url}/api/guilds", json={"name": "g"}).json()["id"]
        r = owner.post(f"{server.url}/api/guilds/{gid}/channels", json={"name": "c"})
        channel_id = r.json()["id"]

        acked: dict[str, int] = {}
        for round_no in range(ROUNDS):
            url = f"{server.url}/api/channels/{channel_id}/messages"
            streams = [Stream() for _ in range(SENDERS)]
            threads = [
                threading.Thread(
                    target=send_until_dead,
                    args=(clone(owner), url, f"r{round_no}s{k}", streams[k]),
                    daemon=True,
                )
                for k in range(SENDERS)
            ]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.5, 2.5))  # the kill point
            server.stop(signal.SIGKILL)
            for t in threads:
                t.join(30)
                assert not t.is_alive()
            for s in streams:
                acked.update(s.acked)
            unacked = [n for s in streams for n in s.unacked]
            assert sum(len(s.acked) for s in streams) > 0, "nothing was sent before the kill"

            if BACKEND != "postgres":
                check_sqlite_file(data_dir / "guildhall.db")

            server = spawn_server(data_dir=data_dir, **env)
            base = server.url
            stored = all_messages(owner, base, channel_id)
            by_content: dict[str, list[int]] = {}
            for m in stored:
                by_content.setdefault(m["content"], []).append(m["id"])
            lost = [n for n in acked if n not in by_content]
            assert lost == [], f"acknowledged but lost after SIGKILL: {lost[:5]}"
            assert all(by_content[n] == [i] for n, i in acked.items())
            assert all(len(ids) == 1 for ids in by_content.values()), "duplicates"

            # The client retries what it never saw acknowledged, with the same nonce.
            retry_url = f"{base}/api/channels/{channel_id}/messages"
            for nonce in unacked:
                r = owner.post(retry_url, json={"content": nonce, "nonce": nonce}, timeout=10)
                assert r.status_code == 201, r.text
                if nonce in by_content:  # it had been stored: the same message comes back
                    assert r.json()["id"] == by_content[nonce][0]
                acked[nonce] = r.json()["id"]
                again = owner.post(retry_url, json={"content": nonce, "nonce": nonce}, timeout=10)
                assert again.json()["id"] == r.json()["id"]
            stored = all_messages(owner, base, channel_id)
            contents = [m["content"] for m in stored]
            assert len(contents) == len(set(contents)) == len(acked)
            assert {m["content"]: m["id"] for m in stored} == acked
        server.stop()
        if BACKEND != "postgres":
            check_sqlite_file(data_dir / "guildhall.db")
