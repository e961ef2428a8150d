"""End-to-end: the real ``guildhall serve`` process, on a free port, with a
temporary data directory, driven by real clients."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import BACKEND, NO_LIMITS, PG_URL, REDIS_URL, RUN_ID, free_port

GUILDHALL = str(Path(sys.executable).parent / "guildhall")
# How long a server process may take to answer its first /healthz. A few seconds
# on a quiet machine; the bound is for a wedged one, not a slow one.
START_TIMEOUT = 180.0


class ServerProcess:
    def __init__(self, data_dir: Path, env: dict[str, str], port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"server-{self.port}.log"

    def start(self, timeout: float = START_TIMEOUT) -> ServerProcess:
        """Start the process and wait until it answers ``/healthz`` (or exits).

        On a loaded machine (two cores, many test processes) the process's imports
        alone can take a minute of wall time: the wait is generous, each health
        check patient (an impatient one is abandoned and sent again, adding load),
        and a process that never got ready is killed rather than left running."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [GUILDHALL, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        began = time.monotonic()
        while time.monotonic() < began + timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                requests.get(self.url + "/healthz", timeout=10)
                return self
            except requests.ConnectionError:  # not listening yet
                time.sleep(0.1)
            except requests.Timeout:  # listening, slow to answer: ask again
                pass
        self.stop()
        raise RuntimeError(
            f"server did not answer /healthz within {timeout:.0f} s "
            f"(load average {os.getloadavg()[0]:.1f}): {self.log.read_text()[-3000:]}"
        )

    def stop(self, sig: int | None = None) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        if sig is None:
            self.proc.terminate()
        else:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def server_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUILDHALL_")}
    env["GUILDHALL_DATA_DIR"] = str(data_dir)
    for key, value in NO_LIMITS.items():
        env[f"GUILDHALL_{key.upper()}"] = value
    if BACKEND == "postgres":
        env["GUILDHALL_DATABASE_URL"] = PG_URL
        env["GUILDHALL_REDIS_URL"] = REDIS_URL
        env["GUILDHALL_REDIS_NAMESPACE"] = RUN_ID
    env.update(overrides)
    return env


@pytest.fixture
def spawn_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """``spawn_server(**env)`` starts a real server process; all are stopped after."""
    started: list[ServerProcess] = []
    if BACKEND == "postgres":
        _reset_postgres_sync()

    def spawn(data_dir: Path | None = None, port: int | None = None, **env: str) -> ServerProcess:
        folder = data_dir or tmp_path / f"data{len(started)}"
        proc = ServerProcess(folder, server_env(folder, **env), port=port)
        if BACKEND == "postgres":
            subprocess.run(
                [GUILDHALL, "db", "upgrade"], env=proc.env, check=True, capture_output=True
            )
        started.append(proc.start())
        return proc

    yield spawn
    for proc in started:
        proc.stop()


@pytest.fixture
def live(spawn_server: Callable[..., ServerProcess]) -> ServerProcess:
    """One real server process on the embedded defaults (or the test backend)."""
    return spawn_server()


def _reset_postgres_sync() -> None:
    import asyncio

    from guildhall.app import create_app
    from tests.backends import reset_postgres
    from tests.conftest import make_settings

    async def run(tmp: Any) -> None:
        application = create_app(make_settings(tmp))
        await reset_postgres(application.state.rt)
        await application.state.rt.db.dispose()

    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    # A thread of its own: the browser tests' Playwright keeps an event loop running
    # on this one, where asyncio.run() is refused.
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run(Path(tmp))).result()


def register(base: str, username: str, password: str = "correct horse battery") -> requests.Session:
    """A ``requests`` session logged in the way the contract's Python example works:
    cookie session plus the ``X-CSRF-Token`` header on unsafe calls."""
    s = requests.Session()
    r = s.post(
        f"{base}/api/register",
        json={"username": username, "password": password, "email": f"{username}@example.com"},
    )
    assert r.status_code == 201, r.text
    s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    s.user = r.json()  # type: ignore[attr-defined]
    return s


def guild_with_member(
    n1: ServerProcess, n2: ServerProcess, name: str = "Two nodes"
) -> tuple[Any, Any, int, int]:
    """(alice, bob, guild id, channel id): alice (node 1) owns a guild with one
    channel; bob (node 2) joined it."""
    alice = register(n1.url, "alice")
    bob = register(n2.url, "bob")
    gid = alice.post(f"{n1.url}/api/guilds", json={"name": name}).json()["id"]
    cid = alice.post(f"{n1.url}/api/guilds/{gid}/channels", json={"name": "general"}).json()["id"]
    code = alice.post(f"{n1.url}/api/guilds/{gid}/invites", json={}).json()["code"]
    assert bob.post(f"{n2.url}/api/invites/{code}/join").status_code == 200
    return alice, bob, gid, cid
