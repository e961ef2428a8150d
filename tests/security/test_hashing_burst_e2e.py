"""Attack report: "40 concurrent logins for a user that does not exist took peak RSS
to 1.2-1.3 GiB and a member's history read from 0.03 s to 7.6 s: Argon2 at 64 MiB
runs on a 40-thread pool." Contract section 19: password hashing runs at most as
many at once as the machine has cores; the rest wait their turn.

Reproduced against the real ``guildhall serve`` process (its peak RSS is the
kernel's ``VmHWM``), and in-process where counting is exact."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from guildhall.auth import passwords
from guildhall.auth.passwords import HASHING_SLOTS
from tests.conftest import assert_error
from tests.e2e.conftest import register, spawn_server  # noqa: F401  (fixture)

# The machine's cores, not the server's own constant: the bound is the contract's.
CORES = len(os.sched_getaffinity(0))
MIB = 1024 * 1024
ARGON2_MEMORY = 64 * MIB  # argon2-cffi's default memory_cost (RFC 9106 low-memory)
BURST = 40


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


class TestBurstOfLoginsOnTheRealServer:
    def test_forty_logins_for_nobody_cost_time_not_memory(self, spawn_server):  # noqa: F811
        srv = spawn_server()
        assert srv.proc is not None
        pid = srv.proc.pid
        member = register(srv.url, "member")
        # One hash has run (register), so the baseline holds the hasher's first use.
        baseline = _status_kib(pid, "VmRSS") * 1024

        def attempt(i: int) -> int:
            r = requests.post(
                f"{srv.url}/api/login",
                json={"username": f"nobody-{i}", "password": "guess guess guess"},
                timeout=120,
            )
            return r.status_code

        with ThreadPoolExecutor(BURST) as pool:
            futures = [pool.submit(attempt, i) for i in range(BURST)]
            time.sleep(0.3)  # the burst is queued or hashing now
            started = time.monotonic()
            me = member.get(f"{srv.url}/api/me", timeout=60)
            member_latency = time.monotonic() - started
            statuses = [f.result() for f in futures]

        assert statuses == [401] * BURST  # every one hashed and answered, none dropped
        assert me.status_code == 200, me.text
        peak = _status_kib(pid, "VmHWM") * 1024
        bound = baseline + ARGON2_MEMORY * CORES + 96 * MIB
        print(
            f"baseline {baseline / MIB:.0f} MiB, peak {peak / MIB:.0f} MiB, "
            f"bound {bound / MIB:.0f} MiB, member /api/me {member_latency:.3f} s"
        )
        # 40 hashes at once would be 2.5 GiB; one per core is 64 MiB each.
        assert peak < bound, (peak / MIB, bound / MIB)
        # Another user's request does not queue behind the hashing.
        assert member_latency < 5.0, member_latency


class _CountingHasher:
    """Wraps the real hasher, recording how many run at once and how many ran."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.calls = 0

    def _enter(self) -> None:
        with self.lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)

    def _leave(self) -> None:
        with self.lock:
            self.running -= 1

    def verify(self, *args: Any) -> Any:
        self._enter()
        try:
            time.sleep(0.02)  # long enough for every waiter to pile up
            return self.real.verify(*args)
        finally:
            self._leave()

    def hash(self, *args: Any) -> Any:
        self._enter()
        try:
            return self.real.hash(*args)
        finally:
            self._leave()


class TestHashingSlots:
    @pytest.fixture
    def counting(self, monkeypatch):
        hasher = _CountingHasher(passwords._hasher)
        monkeypatch.setattr(passwords, "_hasher", hasher)
        return hasher

    async def test_a_burst_never_hashes_more_than_the_cores_at_once(self, anon, counting):
        async def attempt(i: int) -> int:
            r = await anon().post(
                "/api/login", json={"username": f"nobody-{i}", "password": "guess guess"}
            )
            return r.status_code

        statuses = await asyncio.gather(*(attempt(i) for i in range(BURST)))
        assert statuses == [401] * BURST
        assert counting.calls == BURST
        assert counting.peak <= CORES, counting.peak

    async def test_an_unknown_user_costs_one_hash_like_a_known_one(self, anon, alice, counting):
        """Timing: both failures do the same work, so the answer time tells nothing."""
        r = await anon().post("/api/login", json={"username": "nobody", "password": "guess guess"})
        assert_error(r, 401, "INVALID_CREDENTIALS")
        assert counting.calls == 1
        r = await anon().post("/api/login", json={"username": "alice", "password": "guess guess"})
        assert_error(r, 401, "INVALID_CREDENTIALS")
        assert counting.calls == 2

    def test_the_slots_are_the_usable_cores(self):
        assert HASHING_SLOTS == CORES
