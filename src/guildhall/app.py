"""``create_app()``: the one ASGI application a process serves.

Outermost to innermost: the HTTP edge (security headers, body limits, API rate
limit) → Socket.IO on ``/socket.io/`` → FastAPI (REST, uploads, the web client).
"""

from __future__ import annotations

import asyncio
import gc
import logging
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
from guildhall.emojis.router import router as emojis_router
from guildhall.errors import install_error_handlers
from guildhall.files import service as files_service
from guildhall.files.router import router as files_router
from guildhall.files.router import uploads_router
from guildhall.files.storage import start_storage
from guildhall.friends.router import router as friends_router
from guildhall.guilds.router import router as guilds_router
from guildhall.kit.responses import JSONResponse
from guildhall.messages.router import router as messages_router
from guildhall.middleware import EdgeMiddleware
from guildhall.moderation.router import router as moderation_router
from guildhall.openapi import install_openapi
from guildhall.polls.router import router as polls_router
from guildhall.readstates.router import router as readstates_router
from guildhall.realtime.bus import LocalBus
from guildhall.realtime.presence import MemoryPresence
from guildhall.realtime.redis_bus import RedisBus
from guildhall.realtime.redis_presence import RedisPresence
from guildhall.realtime.server import RealtimeServer
from guildhall.roles.router import router as roles_router
from guildhall.runtime import Runtime
from guildhall.search.router import router as search_router
from guildhall.users.router import router as users_router
from guildhall.web import mount_web_client

log = logging.getLogger("guildhall")

ROUTERS = [
    auth_router,
    users_router,
    friends_router,
    guilds_router,
    channels_router,
    messages_router,
    files_router,
    uploads_router,
    search_router,
    emojis_router,
    polls_router,
    # After guilds_router: its DELETE .../members/@me (leave) must match before
    # moderation's DELETE .../members/{user_id} (kick).
    moderation_router,
    audit_router,
    readstates_router,
    roles_router,
]


class SchemaBehind(RuntimeError):
    pass


async def start(rt: Runtime, realtime: RealtimeServer) -> None:
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
    await start_storage(rt)
    rt.extras["upload_sweeper"] = asyncio.create_task(files_service.sweep_forever(rt))
    if rt.settings.redis_url:
        ns = rt.settings.redis_namespace
        bus = RedisBus(rt.settings.redis_url, ns)
        presence = RedisPresence(rt.settings.redis_url, ns, bus.node_id)
        await presence.start()
        rt.bus, rt.presence = bus, presence
    else:
        rt.bus, rt.presence = LocalBus(), MemoryPresence()
    await rt.bus.start(realtime.deliver)


async def stop(rt: Runtime) -> None:
    sweeper = rt.extras.pop("upload_sweeper", None)
    if sweeper is not None:
        sweeper.cancel()
    if rt.bus is not None:
        await rt.bus.stop()
    if isinstance(rt.presence, RedisPresence):
        await rt.presence.stop()
    await rt.limits.close()
    await rt.db.dispose()


def create_app(settings: Settings | None = None) -> Any:
    """The whole ASGI application; ``app.state.rt`` on the inner FastAPI app."""
    settings = settings or Settings()
    rt = Runtime.create(settings)
    realtime = RealtimeServer(rt)
    rt.extras["realtime"] = realtime

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await start(rt, realtime)
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
    outer.state = api.state  # type: ignore[attr-defined]
    outer.api = api  # type: ignore[attr-defined]
    return outer


def build() -> Any:
    """uvicorn factory: ``uvicorn --factory guildhall.app:build``."""
    app = create_app()
    # A serving process keeps its imported code and app graph for life: take them
    # out of the cyclic GC's reach, so that collections (frequent under socket
    # fan-out, which allocates a task per delivery) walk only young objects.
    # Measured twice the fan-out throughput (docs/decisions/realtime.md).
    gc.collect()
    gc.freeze()
    return app
