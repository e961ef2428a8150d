"""Metrics (Prometheus), the access log, and the health endpoints.

``/healthz``: the process answers. ``/readyz``: the database, the file store (and
Redis, when configured) answer — what a load balancer should route on. ``/metrics``: the
Prometheus text format; expose it only to your monitoring network.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import text
from starlette.types import Scope

from guildhall.codes import ErrorCode
from guildhall.errors import AppError
from guildhall.events import Event, is_control
from guildhall.kit.responses import JSONResponse

access_log = logging.getLogger("guildhall.access")

HTTP_REQUESTS = Counter(
    "guildhall_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "guildhall_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SOCKETS = Gauge("guildhall_connected_sockets", "Socket.IO connections on this node")
SOCKET_EVENTS = Counter(
    "guildhall_socket_events_total", "Client socket events handled", ["event", "ok"]
)
EVENTS = Counter("guildhall_events_emitted_total", "Events published after commit", ["event"])


def route_of(scope: Scope) -> str:
    """The route template (``/api/guilds/{guild_id}``), never the raw path: bounded labels."""
    route = scope.get("route")
    path: str | None = getattr(route, "path", None)
    if path:
        return path
    raw: str = scope.get("path", "")
    if raw.startswith("/socket.io/"):
        return "/socket.io/"
    if raw.startswith("/uploads/"):
        return "/uploads/"
    return "other"


def observe_request(scope: Scope, status: int, started: float, client: str) -> None:
    elapsed = time.perf_counter() - started
    method = scope.get("method", "")
    route = route_of(scope)
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(elapsed)
    if access_log.isEnabledFor(logging.INFO):
        access_log.info(
            "%s %s %d %.1fms",
            method,
            scope.get("path", ""),
            status,
            elapsed * 1000,
            extra={
                "fields": {
                    "method": method,
                    "path": scope.get("path", ""),
                    "route": route,
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                    "client": client,
                }
            },
        )


_EVENT_COUNTERS: dict[str, Any] = {}  # a labelled child per event name, looked up once


def count_events(events: list[Event]) -> None:
    for ev in events:
        if not is_control(ev.name):
            counter = _EVENT_COUNTERS.get(ev.name)
            if counter is None:
                counter = _EVENT_COUNTERS[ev.name] = EVENTS.labels(ev.name)
            counter.inc()


router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    rt = request.app.state.rt
    checks: dict[str, str] = {}
    try:
        async with rt.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    if rt.settings.redis_url:
        try:
            import redis.asyncio as redis

            client = redis.from_url(rt.settings.redis_url, socket_connect_timeout=1)
            try:
                await client.ping()
            finally:
                await client.aclose()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    # Uploads and their downloads need the store: a node whose bucket is gone is
    # not ready, whatever the database says.
    try:
        await rt.storage.check()
        checks["storage"] = "ok"
    except Exception as exc:
        checks["storage"] = f"error: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    if ready:
        return JSONResponse({"status": "ok", "checks": checks})
    return JSONResponse(
        {"error": "Not ready", "code": ErrorCode.NOT_READY, "details": checks}, status_code=503
    )


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus text; with ``GUILDHALL_METRICS_ALLOW`` set, only for those
    addresses (others get the 404 of an unknown path: nothing to probe)."""
    rt = request.app.state.rt
    allowed = rt.settings.metrics_networks
    if allowed:
        client = rt.limits.client_ip(
            request.client.host if request.client else None,
            request.headers.get("x-forwarded-for"),
        )
        try:
            address = ipaddress.ip_address(client)
        except ValueError:
            address = None
        if address is None or not any(address in net for net in allowed):
            raise AppError(ErrorCode.NOT_FOUND, 404, "Not found")
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
