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


class ServerProcess:
    def __init__(self, data_dir: Path, env: dict[str, str], port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"server-{self.port}.log"

    def start(self, timeout: float = 60) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [GUILDHALL, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                requests.get(self.url + "/healthz", timeout=1)
                return self
            except (requests.ConnectionError, requests.Timeout):  # a busy machine is slow to answer
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

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
