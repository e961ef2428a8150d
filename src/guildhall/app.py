"""``create_app()``: the one ASGI application a process serves.

Outermost to innermost: the HTTP edge (security headers, body limits, API rate
limit) → Socket.IO on ``/socket.io/`` → FastAPI (REST, uploads, the web client).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from guildhall import migrate, observability
from guildhall.audit.router import router as audit_router
from guildhall.auth.router import router as auth_router
from guildhall.channels.router import router as channels_router
from guildhall.config import Settings
from guildhall.db import Database
from guildhall.dms.router import router as dms_router
from guildhall.emojis.router import router as emojis_router
from guildhall.errors import install_error_handlers
from guildhall.files import service as files_service
from guildhall.files.router import router as files_router
from guildhall.files.router import uploads_router
from guildhall.files.storage import make_storage, start_storage
from guildhall.friends.router import router as friends_router
from guildhall.guilds.router import router as guilds_router
from guildhall.kit.responses import JSONResponse
from guildhall.kit.threads import ThreadSlots
from guildhall.messages.router import router as messages_router
from guildhall.middleware import EdgeMiddleware
from guildhall.moderation.router import router as moderation_router
from guildhall.openapi import install_openapi
from guildhall.polls.router import router as polls_router
from guildhall.ports.bus import Bus, LocalBus
from guildhall.ports.presence import MemoryPresence, Presence
from guildhall.ports.realtime import Realtime
from guildhall.ports.redis_bus import RedisBus
from guildhall.ports.redis_presence import RedisPresence
from guildhall.ratelimit import RateLimits
from guildhall.readstates.router import router as readstates_router
from guildhall.realtime.server import RealtimeServer
from guildhall.replay import sequence
from guildhall.replay import service as replay_service
from guildhall.roles.router import router as roles_router
from guildhall.runtime import Runtime
from guildhall.search.router import router as search_router
from guildhall.users.router import router as users_router
from guildhall.web import mount_web_client

log = logging.getLogger("guildhall")

# In traffic order: FastAPI matches a request against every route before its own
# (twice over the router that holds it), which was a fifth of a send's time in
# the HTTP layer when messages came sixth. No route hides another
# (tests/test_web_routes.py), so the order changes only the cost.
ROUTERS = [
    messages_router,  # send, history
    readstates_router,  # ack
    auth_router,
    users_router,
    friends_router,
    guilds_router,
    channels_router,
    files_router,
    uploads_router,
    search_router,
    emojis_router,
    polls_router,
    # After guilds_router: its DELETE .../members/@me (leave) must match before
    # moderation's DELETE .../members/{user_id} (kick).
    moderation_router,
    audit_router,
    roles_router,
    dms_router,
]


class SchemaBehind(RuntimeError):
    pass


def build_runtime(settings: Settings) -> Runtime:
    """The process's runtime, every part chosen by the settings (the one place)."""
    bus: Bus
    presence: Presence
    if settings.redis_url:
        ns = settings.redis_namespace
        redis_bus = RedisBus(settings.redis_url, ns)
        bus, presence = redis_bus, RedisPresence(settings.redis_url, ns, redis_bus.node_id)
    else:
        bus, presence = LocalBus(), MemoryPresence()
    rt = Runtime(
        settings=settings,
        db=Database(settings),
        limits=RateLimits(settings),
        bus=bus,
        presence=presence,
        storage=make_storage(settings),
        file_checks=ThreadSlots(files_service.CHECK_CONCURRENCY),
        before_commit=sequence.assign,
    )
    realtime = RealtimeServer(rt)
    rt.realtime = realtime
    if isinstance(bus, RedisBus):
        bus.local_rooms = realtime.local_rooms
    return rt


async def start(rt: Runtime) -> None:
    """Bring the process up: schema, bus, presence."""
    if rt.db.is_sqlite:
        await migrate.upgrade(rt.db)  # embedded: keep itself up to date
    else:
        current, head = await migrate.pending(rt.db)
        if current != head:
            raise SchemaBehind(
                f"database schema is at {current or 'nothing'}, code needs {head}: "
                "run `guildhall db upgrade`"
            )
    if rt.settings.redis_url and not rt.settings.secret_key:
        log.warning(
            "GUILDHALL_SECRET_KEY is unset: this node uses its own key from the data dir; "
            "scaled out, give every node the same key (it keys the login-failure counters "
            "the nodes share)"
        )
    rt.settings.resolved_secret_key  # noqa: B018 (made and kept now, not on a first failed login)
    await start_storage(rt)
    rt.sweepers.append(asyncio.create_task(files_service.sweep_forever(rt)))
    rt.sweepers.append(asyncio.create_task(replay_service.trim_forever(rt)))
    await rt.presence.start()
    # Numbered channel events reach the sockets in order (contract section 18).
    await rt.bus.start(rt.realtime.ordering)


async def stop(rt: Runtime) -> None:
    while rt.sweepers:
        rt.sweepers.pop().cancel()
    await rt.bus.stop()
    await rt.realtime.stop()
    await rt.presence.stop()
    await rt.limits.close()
    await rt.db.dispose()


def close_sockets_on_stop_signals(realtime: Realtime) -> None:
    """On SIGTERM/SIGINT, close every socket at once, then let the server stop.

    uvicorn, told to stop, waits (up to its graceful timeout) for open requests,
    and a polling client always has one open: its parked long-poll. Closing the
    sockets first answers those and tells every client to reconnect now (through
    the proxy, to another node) instead of after the ping timeout. Installed
    around the handler uvicorn has set (at lifespan start, inside its signal
    capture), which still runs first.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[int]] = []

    def close_now() -> None:
        if not closing:
            closing.append(loop.create_task(realtime.close_all()))

    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)

        def handler(signum: int, frame: Any, previous: Any = previous) -> None:
            if callable(previous):
                previous(signum, frame)
            loop.call_soon_threadsafe(close_now)

        signal.signal(sig, handler)


def create_app(settings: Settings | None = None, *, serving: bool = False) -> Any:
    """The whole ASGI application; ``app.state.rt`` on the inner FastAPI app.

    ``serving``: the process is ``guildhall serve`` (stop signals close sockets)."""
    settings = settings or Settings()
    rt = build_runtime(settings)
    realtime = rt.realtime

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await start(rt)
        if serving:
            close_sockets_on_stop_signals(realtime)
        try:
            yield
        finally:
            await stop(rt)

    api = FastAPI(
        title="Guildhall",
        version="0.1.0",
        default_response_class=JSONResponse,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    api.state.rt = rt
    install_error_handlers(api)
    for router in ROUTERS:
        api.include_router(router)
    api.include_router(observability.router)
    install_openapi(api)
    mount_web_client(api, Path(__file__).parent / "static")
    outer = EdgeMiddleware(realtime.asgi_app(api), rt)
    outer.state = api.state
    outer.api = api
    return outer


def build() -> Any:
    """uvicorn factory: ``uvicorn --factory guildhall.app:build``."""
    app = create_app(serving=True)
    # A serving process keeps its imported code and app graph for life: take them
    # out of the cyclic GC's reach, so that collections (frequent under socket
    # fan-out, which allocates a task per delivery) walk only young objects.
    # Measured twice the fan-out throughput (docs/decisions/realtime.md).
    gc.collect()
    gc.freeze()
    return app
