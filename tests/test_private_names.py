"""The private names of other packages that guildhall relies on, one test each.

``pyproject.toml`` caps each of these packages below its next minor version.
Before raising a cap, run this module against the new version: a failure names
the package, its version, the attribute that moved and the guildhall module
that uses it, so the fix starts in the right file instead of in a traceback
from deep inside a socket or a transaction.

Each pin checks what the using code needs: that the name exists, is callable
(or a coroutine function) where it is called, takes the parameters it is called
with where guildhall overrides or calls it by position, and, for instance
attributes, is there on a real instance.
"""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import pytest


@dataclass(frozen=True)
class Pin:
    dist: str  # the distribution, as in pyproject.toml
    owner: str  # what holds the name, for the message
    name: str
    used_in: str  # guildhall's module that uses it
    # The object to look on: a class, or a real instance (may be async).
    target: Callable[[], Any]
    kind: str = "attr"  # attr | method | coroutine | slot | absent
    params: tuple[str, ...] | None = None  # a callable's leading parameters, after self

    @property
    def id(self) -> str:
        return f"{self.dist}:{self.owner}.{self.name}"


# --- the objects the pins look at ----------------------------------------------


def _aiosqlite_connection_cls() -> Any:
    import aiosqlite

    return aiosqlite.Connection


async def _aiosqlite_connection() -> Any:
    import aiosqlite

    conn = aiosqlite.connect(":memory:")
    await conn
    _opened.append(conn.close)
    return conn


def _sa_cursor_cls() -> Any:
    from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_cursor

    return AsyncAdapt_aiosqlite_cursor


def _sa_connection_cls() -> Any:
    from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection

    return AsyncAdapt_aiosqlite_connection


async def _sa_connection() -> Any:
    import aiosqlite
    from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi
    from sqlalchemy.util import greenlet_spawn

    dbapi = AsyncAdapt_aiosqlite_dbapi(aiosqlite, sqlite3)
    adapted = await greenlet_spawn(dbapi.connect, ":memory:")
    _opened.append(adapted._connection.close)
    return adapted


def _sa_util() -> Any:
    import sqlalchemy.util

    return sqlalchemy.util


def _sa_compiled() -> Any:
    """A compiled SELECT, as sqlite_direct.plan reads one."""
    from sqlalchemy import column, select, table
    from sqlalchemy.dialects import sqlite

    return select(table("t", column("a"))).compile(dialect=sqlite.dialect())


def _sa_type() -> Any:
    from sqlalchemy import DateTime

    return DateTime()


def _sio_server_cls() -> Any:
    import socketio

    return socketio.AsyncServer


def _sio_server() -> Any:
    import socketio

    return socketio.AsyncServer(async_mode="asgi")


async def _sio_rooms() -> Any:
    """python-socketio's room table after one connect: the layout the fast
    delivery path reads (``rooms[namespace][room][sid] = eio_sid``)."""
    import socketio

    manager = socketio.AsyncManager()
    socketio.AsyncServer(client_manager=manager, async_mode="asgi")
    manager.initialize()
    sid = await manager.connect("eio-1", "/")
    await manager.enter_room(sid, "/", "room-1")
    return manager.rooms


def _sio_manager_cls() -> Any:
    import socketio

    return socketio.AsyncManager


def _sio_manager() -> Any:
    import socketio

    manager = socketio.AsyncManager()
    socketio.AsyncServer(client_manager=manager, async_mode="asgi")
    manager.initialize()
    return manager


def _eio_socket_cls() -> Any:
    from engineio.async_socket import AsyncSocket

    return AsyncSocket


def _eio_socket() -> Any:
    import engineio
    from engineio.async_socket import AsyncSocket

    return AsyncSocket(engineio.AsyncServer(async_mode="asgi"), "sid-1")


def _eio_server() -> Any:
    import engineio

    return engineio.AsyncServer(async_mode="asgi")


def _eio_server_connect_source() -> Any:
    """python-engineio builds its sockets from ``async_socket.AsyncSocket`` by
    name: realtime/server.py swaps that exact class for ``DirectSocket``."""
    import engineio

    return inspect.getsource(engineio.AsyncServer._handle_connect)


def _ws_protocol_cls() -> Any:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    return WebSocketsSansIOProtocol


def _protocol(cls: Any) -> Any:
    """An instance of uvicorn protocol class ``cls``, as a server makes one."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    config = Config(app=_no_app, factory=False)
    config.load()
    return cls(config=config, server_state=ServerState(), app_state={})


def _ws_protocol() -> Any:
    return _protocol(_ws_protocol_cls())


def _http_protocol_cls() -> Any:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    return HttpToolsProtocol


def _http_protocol() -> Any:
    return _protocol(_http_protocol_cls())


async def _no_app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
    raise AssertionError("never called")


_opened: list[Callable[[], Awaitable[Any]]] = []

SQLITE_DRIVER = "src/guildhall/sqlite_driver.py"
SQLITE_DIRECT = "src/guildhall/sqlite_direct.py"
WIRE = "src/guildhall/realtime/wire.py"
ENGINE = "src/guildhall/realtime/engine.py, src/guildhall/realtime/asgi.py"
SERVER = "src/guildhall/realtime/server.py"
MANAGER = "src/guildhall/realtime/manager.py"
HTTPPROTO = "src/guildhall/httpproto.py"


def _group(
    dist: str,
    owner: str,
    used_in: str,
    target: Callable[[], Any],
    kind: str,
    names: dict[str, tuple[str, ...] | None],
) -> list[Pin]:
    """One pin per name (with its callable's leading parameters, when pinned)."""
    return [Pin(dist, owner, n, used_in, target, kind, params) for n, params in names.items()]


def _attrs(*names: str) -> dict[str, tuple[str, ...] | None]:
    return dict.fromkeys(names)


SA_CURSOR = "AsyncAdapt_aiosqlite_cursor"
SA_CONN = "AsyncAdapt_aiosqlite_connection"
WS = "WebSocketsSansIOProtocol"
HTTP = "HttpToolsProtocol"

PINS = [
    # aiosqlite: the one-trip cursor queues its own job on aiosqlite's thread.
    *_group(
        "aiosqlite",
        "Connection",
        SQLITE_DRIVER,
        _aiosqlite_connection_cls,
        "coroutine",
        {"_execute": ("fn",)},
    ),
    *_group(
        "aiosqlite",
        "Connection",
        SQLITE_DRIVER,
        _aiosqlite_connection,
        "attr",
        _attrs("_conn", "_connection"),
    ),
    # SQLAlchemy: the aiosqlite adapter's cursor and connection, subclassed.
    *_group(
        "sqlalchemy",
        SA_CURSOR,
        SQLITE_DRIVER,
        _sa_cursor_cls,
        "slot",
        _attrs("_adapt_connection", "_connection", "_cursor", "_soft_closed_memoized", "_rows"),
    ),
    *_group(
        "sqlalchemy",
        SA_CURSOR,
        SQLITE_DRIVER,
        _sa_cursor_cls,
        "coroutine",
        {
            "_async_soft_close": (),
            "_execute_async": ("operation", "parameters"),
            "_executemany_async": ("operation", "seq_of_parameters"),
        },
    ),
    *_group(
        "sqlalchemy", SA_CONN, SQLITE_DRIVER, _sa_connection_cls, "attr", _attrs("_cursor_cls")
    ),
    *_group(
        "sqlalchemy",
        SA_CONN,
        SQLITE_DRIVER,
        _sa_connection_cls,
        "method",
        {"_handle_exception": ("error",)},
    ),
    *_group(
        "sqlalchemy",
        SA_CONN,
        SQLITE_DRIVER,
        _sa_connection,
        "attr",
        _attrs("_execute_mutex", "_connection"),
    ),
    *_group("sqlalchemy", "util", SQLITE_DRIVER, _sa_util, "method", _attrs("await_")),
    # SQLAlchemy: what a statement compiled once for sqlite_direct is read from.
    *_group(
        "sqlalchemy",
        "SQLCompiler",
        SQLITE_DIRECT,
        _sa_compiled,
        "attr",
        _attrs("_bind_processors", "_result_columns"),
    ),
    *_group(
        "sqlalchemy",
        "TypeEngine",
        SQLITE_DIRECT,
        _sa_type,
        "method",
        {"_cached_result_processor": ("dialect", "coltype")},
    ),
    # python-socketio: the packet dispatch guildhall owns (realtime/server.py).
    *_group(
        "python-socketio",
        "AsyncServer",
        SERVER,
        _sio_server_cls,
        "coroutine",
        {
            "_handle_eio_connect": ("eio_sid", "environ"),
            "_handle_eio_message": ("eio_sid", "data"),
            "_handle_eio_disconnect": ("eio_sid", "reason"),
            "_handle_event": ("eio_sid", "namespace", "id", "data"),
            "_handle_connect": ("eio_sid", "namespace", "data"),
            "_handle_disconnect": ("eio_sid", "namespace", "reason"),
            "_handle_event_internal": ("server", "sid", "eio_sid", "data", "namespace", "id"),
            "_send_packet": ("eio_sid", "pkt"),
        },
    ),
    *_group(
        "python-socketio",
        "AsyncServer",
        SERVER,
        _sio_server,
        "attr",
        _attrs("environ", "packet_class"),
    ),
    # python-socketio: the room table's clean-up realtime/manager.py replaces.
    *_group(
        "python-socketio",
        "AsyncManager",
        MANAGER,
        _sio_manager_cls,
        "method",
        {
            "basic_enter_room": ("sid", "namespace", "room", "eio_sid"),
            "basic_leave_room": ("sid", "namespace", "room"),
            "basic_disconnect": ("sid", "namespace"),
            "get_rooms": ("sid", "namespace"),
        },
    ),
    *_group(
        "python-socketio",
        "AsyncManager",
        MANAGER,
        _sio_manager,
        "attr",
        _attrs("callbacks", "pending_connect", "pending_disconnect", "rooms"),
    ),
    # python-engineio: the socket realtime/wire.py subclasses and swaps in.
    *_group(
        "python-engineio",
        "AsyncSocket",
        WIRE,
        _eio_socket_cls,
        "coroutine",
        {
            "_upgrade_websocket": ("environ",),
            "poll": (),
            "check_ping_timeout": (),
        },
    ),
    *_group(
        "python-engineio",
        "AsyncSocket",
        f"{WIRE}, {SERVER}",
        _eio_socket,
        "attr",
        _attrs("queue", "upgraded", "closing", "closed"),
    ),
    *_group("python-engineio", "AsyncServer", SERVER, _eio_server, "attr", _attrs("sockets")),
    # python-engineio: what an EngineSocket is to its server (realtime/engine.py).
    *_group(
        "python-engineio",
        "AsyncServer",
        ENGINE,
        _eio_server,
        "attr",
        _attrs(
            "handlers",
            "reason",
            "ping_interval",
            "ping_timeout",
            "ping_interval_grace_period",
            "max_http_buffer_size",
            "async_handlers",
            "cors_allowed_origins",
        ),
    ),
    *_group(
        "python-engineio",
        "AsyncServer",
        ENGINE,
        _eio_server,
        "coroutine",
        {"_trigger_event": ("event",)},
    ),
    *_group(
        "python-engineio",
        "AsyncServer",
        ENGINE,
        _eio_server,
        "method",
        {"_log_error_once": ("message", "message_key"), "generate_id": ()},
    ),
    # uvicorn: the sans-I/O websockets protocol WireProtocol extends.
    *_group(
        "uvicorn",
        WS,
        WIRE,
        _ws_protocol,
        "attr",
        _attrs(
            "close_sent",
            "disconnected",
            "handshake_complete",
            "queue",
            "conn",
            "read_paused",
            "close_timer",
            "loop",
            "transport",
            "client",
            "frames",
            "curr_msg_data_type",
            "writable",
            "ping_interval",
            "close_timeout",
            "tasks",
        ),
    ),
    *_group(
        "uvicorn",
        WS,
        WIRE,
        _ws_protocol_cls,
        "method",
        {
            "handle_connect": ("event",),
            "pause_writing": (),
            "send_receive_event_to_app": (),
            "stop_keepalive": (),
            "send_500_response": (),
            "receive": (),
        },
    ),
    *_group(
        "uvicorn",
        WS,
        WIRE,
        _ws_protocol_cls,
        "coroutine",
        {"run_asgi": (), "send": ("message",)},
    ),
    # uvicorn: the httptools protocol BoundedHttpToolsProtocol extends.
    *_group(
        "uvicorn",
        HTTP,
        HTTPPROTO,
        _http_protocol_cls,
        "method",
        {
            "data_received": ("data",),
            "on_headers_complete": (),
            "on_message_complete": (),
        },
    ),
    *_group("uvicorn", HTTP, HTTPPROTO, _http_protocol, "attr", _attrs("logger")),
    # BoundedHttpToolsProtocol's own state must not shadow uvicorn's.
    *_group(
        "uvicorn", HTTP, HTTPPROTO, _http_protocol, "absent", _attrs("_head_done", "_head_bytes")
    ),
]


def _moved(pin: Pin, why: str) -> str:
    return (
        f"{pin.dist} {version(pin.dist)}: {pin.owner}.{pin.name} {why}. "
        f"guildhall uses it in {pin.used_in}: adapt that code (and keep this pin "
        f"true) before raising the cap on {pin.dist} in pyproject.toml."
    )


@pytest.fixture(autouse=True)
async def _close_opened() -> Any:
    yield
    while _opened:
        await _opened.pop()()


@pytest.mark.parametrize("pin", PINS, ids=[p.id for p in PINS])
async def test_private_name_is_where_guildhall_uses_it(pin: Pin) -> None:
    target = pin.target()
    if inspect.isawaitable(target):
        target = await target
    if pin.kind == "absent":
        assert not hasattr(target, pin.name), _moved(pin, "now exists and would be shadowed")
        return
    if pin.kind == "slot":
        slots = {s for k in type.mro(target) for s in getattr(k, "__slots__", ())}
        assert pin.name in slots, _moved(pin, "is no longer a slot")
        return
    assert hasattr(target, pin.name), _moved(pin, "is gone")
    value = inspect.getattr_static(target, pin.name)
    if pin.kind == "attr":
        return
    func = getattr(target, pin.name)
    assert callable(func), _moved(pin, f"is no longer callable ({value!r})")
    if pin.kind == "coroutine":
        assert inspect.iscoroutinefunction(func), _moved(pin, "is no longer a coroutine function")
    if pin.params is not None:
        params = [p for p in inspect.signature(func).parameters if p != "self"]
        assert params[: len(pin.params)] == list(pin.params), _moved(
            pin, f"takes ({', '.join(params)}), not ({', '.join(pin.params)}, ...)"
        )


async def test_socketio_room_table_layout() -> None:
    """The fast delivery path reads ``manager.rooms[namespace][room]`` as a
    mapping of sid to Engine.IO sid (realtime/server.py ``_broadcast``)."""
    rooms = await _sio_rooms()
    table = rooms.get("/")
    problem = (
        f"python-socketio {version('python-socketio')}: AsyncManager.rooms layout "
        f"moved (rooms={rooms!r}); {SERVER} reads it"
    )
    assert isinstance(table, dict) and "room-1" in table, problem
    assert list(table["room-1"].values()) == ["eio-1"], problem


def test_engineio_builds_the_class_realtime_swaps() -> None:
    """realtime/server.py replaces a socket's class only when it is exactly
    ``AsyncSocket``; were python-engineio to build another, every socket would
    silently keep the queued (slow) path."""
    assert "async_socket.AsyncSocket(" in _eio_server_connect_source(), (
        f"python-engineio {version('python-engineio')}: AsyncServer._handle_connect no "
        f"longer builds async_socket.AsyncSocket; {SERVER} swaps that class for DirectSocket"
    )
