"""Fixtures: a migrated database per test, the real ASGI app, real HTTP clients.

Backends: SQLite by default (a fresh copy of a migrated template file per test).
Set ``GUILDHALL_TEST_BACKEND=postgres`` to run the same tests on PostgreSQL and
Redis (``GUILDHALL_TEST_DATABASE_URL`` / ``GUILDHALL_TEST_REDIS_URL``, defaulting
to the local services).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from guildhall.app import create_app, start, stop
from guildhall.config import Settings

BACKEND = os.environ.get("GUILDHALL_TEST_BACKEND", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "GUILDHALL_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("GUILDHALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Each test run gets its own PostgreSQL database and Redis namespace, so runs in
# parallel (developers, CI, xdist workers) never see each other's data or events.
RUN_ID = f"gh_test_{os.getpid()}"
PG_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + RUN_ID

# Every limit off unless a test turns one on.
NO_LIMITS = {
    "api_rate_limit": "off",
    "socket_rate_limit": "off",
    "upload_rate_limit": "off",
    "message_rate_limit": "off",
    "friend_request_rate_limit": "off",
    "login_failure_limit": "off",
}

PASSWORD = "correct horse battery"

# Under CI (the flag that also makes PostgreSQL and Redis mandatory) a missing tool
# or a failed build fails the tests that need it instead of skipping them.
REQUIRE_TOOLS = os.environ.get("GUILDHALL_REQUIRE_SCALEOUT") == "1"


def unavailable(reason: str) -> None:
    """A test's tool is missing: skip on a developer's machine, fail under CI."""
    if REQUIRE_TOOLS:
        pytest.fail(f"required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


# Property and fuzz tests draw the same examples on every CI run (a red CI names a
# reproducible case); HYPOTHESIS_PROFILE=explore draws new ones.
from hypothesis import settings as _hypothesis  # noqa: E402

_hypothesis.register_profile("ci", derandomize=True, database=None)
_hypothesis.register_profile("explore")
_hypothesis.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "explore")
)

# The message object of API.md sections 7 and 16: every message everywhere carries these.
MESSAGE_KEYS = frozenset(
    {
        "id",
        "channel_id",
        "guild_id",
        "author_id",
        "username",
        "display_name",
        "avatar",
        "content",
        "timestamp",
        "edited_at",
        "pinned",
        "files",
        "reactions",
        "poll",
        "nonce",
        # Section 16.
        "reply_to",
        "mentions",
        "mention_roles",
        "mention_everyone",
    }
)


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "secret_key": "test-secret", **NO_LIMITS}
    if BACKEND == "postgres":
        values["database_url"] = PG_URL
        values["redis_url"] = REDIS_URL
        values["redis_namespace"] = RUN_ID
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session", autouse=True)
def postgres_database() -> Any:
    """Create this run's PostgreSQL database (dropped at the end)."""
    if BACKEND != "postgres":
        yield None
        return
    import asyncio

    from tests.backends import create_database, drop_database

    asyncio.run(create_database(PG_ADMIN_URL, RUN_ID))
    try:
        yield PG_URL
    finally:
        asyncio.run(drop_database(PG_ADMIN_URL, RUN_ID))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """A database migrated once; each test gets a copy (migrations are slow)."""
    if BACKEND != "sqlite":
        return None
    import asyncio

    from guildhall import migrate
    from guildhall.db import Database

    folder = tmp_path_factory.mktemp("template")
    db = Database(make_settings(folder))

    async def run() -> None:
        await migrate.upgrade(db)
        await db.dispose()

    asyncio.run(run())
    return folder / "guildhall.db"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module (or with ``@pytest.mark.parametrize``) to change settings."""
    return {}


@pytest.fixture
async def app(
    tmp_path: Path, sqlite_template: Path | None, settings_overrides: dict[str, Any]
) -> AsyncIterator[Any]:
    settings = make_settings(tmp_path / "data", **settings_overrides)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if sqlite_template is not None:
        shutil.copy(sqlite_template, settings.data_dir / "guildhall.db")
    application = create_app(settings)
    rt = application.state.rt
    if BACKEND == "postgres":
        from tests.backends import reset_postgres

        await reset_postgres(rt)
    await start(rt)
    try:
        yield application
    finally:
        await stop(rt)


@pytest.fixture
def rt(app: Any) -> Any:
    return app.state.rt


class Client(httpx.AsyncClient):
    """An httpx client on the ASGI app that remembers its user and CSRF token."""

    user: dict[str, Any]

    async def request(self, method: str, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        csrf = self.cookies.get("csrf_token")
        if csrf and method.upper() not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRF-Token", csrf)
            kwargs["headers"] = headers
        return await super().request(method, url, **kwargs)


@pytest.fixture
def anon(app: Any) -> Callable[[], Client]:
    """Make a fresh, anonymous client (its own cookie jar)."""
    clients: list[Client] = []

    def make() -> Client:
        c = Client(
            transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 40000)),
            base_url="http://testserver",
        )
        clients.append(c)
        return c

    return make


@pytest.fixture
def make_user(anon: Callable[[], Client]) -> Callable[..., Any]:
    """``await make_user("alice")`` → a logged-in client with ``.user``."""

    async def make(username: str, email: str | None = None, password: str = PASSWORD) -> Client:
        client = anon()
        r = await client.post(
            "/api/register",
            json={
                "username": username,
                "password": password,
                "email": email or f"{username}@example.com",
            },
        )
        assert r.status_code == 201, r.text
        client.user = r.json()
        return client

    return make


@pytest.fixture
async def alice(make_user: Callable[..., Any]) -> Client:
    return await make_user("alice")


@pytest.fixture
async def bob(make_user: Callable[..., Any]) -> Client:
    return await make_user("bob")


@pytest.fixture
async def carol(make_user: Callable[..., Any]) -> Client:
    return await make_user("carol")


def assert_error(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> None:
    """The contract's error body, with the expected status and code."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) >= {"error", "code", "details"}, body
    assert body["code"] == code, body
    assert isinstance(body["error"], str) and body["error"]
    if field is not None:
        assert body["details"].get("field") == field, body


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def server(app: Any) -> AsyncIterator[str]:
    """The app served by a real uvicorn on a free port, in the test's own event loop:
    real sockets for real clients (python-socketio, websockets, aiohttp), while the
    test can still reach ``rt``. Returns the base URL."""
    import asyncio

    import uvicorn

    from guildhall.realtime.wire import WireProtocol

    port = free_port()
    direct = app.state.rt.settings.socket_direct_write
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        # As `guildhall serve` (cli.py): with direct write, fan-out writes frames
        # straight to the connection; without, uvicorn's stock protocol.
        ws=WireProtocol if direct else "websockets-sansio",
        ws_per_message_deflate=not direct,
    )
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve())
    while not srv.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        await task


class Recorder:
    """A bus that keeps what is published instead of delivering it."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    async def start(self, deliver: Any) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def publish(self, events: list[Any]) -> None:
        self.events.extend(events)

    async def watch(self, rooms: Any) -> None:
        pass

    def named(self, name: str) -> list[Any]:
        return [e for e in self.events if e.name == name]

    def clear(self) -> None:
        self.events.clear()


@pytest.fixture
async def captured_events(rt: Any) -> Recorder:
    """Every event committed units of work publish, in order (``.events``, ``.named()``)."""
    recorder = Recorder()
    await rt.bus.stop()  # the real bus (a Redis subscriber when scaled out) is replaced
    rt.bus = recorder
    return recorder


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Any:
    """Argon2id with minimal cost inside the test process: a strong hash costs
    0.1-0.4 s, and most tests register two or three users. Production parameters
    are pinned by tests/auth/test_passwords.py; servers the e2e tests spawn hash
    for real."""
    from argon2 import PasswordHasher

    from guildhall.auth import passwords

    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    saved = passwords._hasher, passwords._DUMMY_HASH
    passwords._hasher = fast
    passwords._DUMMY_HASH = fast.hash("guildhall-timing-equaliser")
    yield
    passwords._hasher, passwords._DUMMY_HASH = saved


# The browser tests drive the web client; what they reach of the server runs in the
# API tests on both engines, so they run in the SQLite suite only.
BROWSER_TESTS = Path(__file__).parent / "web"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The scaled-out suite runs only what the engine (PostgreSQL, Redis) can change:
    tests marked ``one_engine`` run once, in the SQLite suite."""
    for item in items:
        if item.path.parent == BROWSER_TESTS:
            item.add_marker(pytest.mark.one_engine)
    if BACKEND != "postgres":
        return
    keep = [item for item in items if item.get_closest_marker("one_engine") is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
