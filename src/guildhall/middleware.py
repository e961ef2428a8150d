"""The HTTP edge, as one pure-ASGI middleware (no per-request task or copy):
security headers on every answer, body-size limits, and the per-IP API limit."""

from __future__ import annotations

import time
from typing import Any

import orjson
from fastapi import FastAPI
from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from guildhall.audit.reason import parse_reason, reset_reason, set_reason
from guildhall.codes import ErrorCode
from guildhall.errors import AppError
from guildhall.observability import observe_request
from guildhall.ratelimit import Verdict
from guildhall.runtime import Runtime

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# The web client is same-origin only; API answers are data, never documents.
# ``connect-src 'self'`` covers the same origin's ws:/wss: (CSP 3); the former
# ``ws: wss:`` let injected script open a socket to any host.
DEFAULT_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

_MULTIPART_OVERHEAD = 64 * 1024
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _BodyTooLarge(AppError):
    """Raised from ``receive``: rendered as 413 by the app's error handler."""


class EdgeMiddleware:
    # Set by create_app: the FastAPI application behind the socket endpoint, and
    # its state, for whoever holds only the outer ASGI app (tests, the server).
    api: FastAPI
    state: State

    def __init__(self, app: ASGIApp, rt: Runtime) -> None:
        self.app = app
        self.rt = rt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        verdict: Verdict | None = None
        started_at = time.perf_counter()
        client_ip = self._client_ip(scope)
        status = 500
        reason: str | None = None
        if path.startswith("/api/"):
            verdict = await self.rt.limits.api.hit(client_ip)
            if verdict is not None and not verdict.allowed:
                await self._reject(
                    send,
                    AppError(ErrorCode.RATE_LIMIT_EXCEEDED, 429, "Too many requests"),
                    verdict,
                )
                observe_request(scope, 429, started_at, client_ip)
                return
            limit = self._body_limit(scope)
            declared = _header(scope, b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await self._reject(send, self._too_large(scope), verdict)
                observe_request(scope, 413, started_at, client_ip)
                return
            receive = _limited(receive, limit, self._too_large(scope))
            if scope["method"] not in _SAFE_METHODS:
                try:
                    reason = parse_reason(_raw_header(scope, b"x-audit-log-reason"))
                except AppError as err:  # refused before anything is done
                    await self._reject(send, err, verdict)
                    observe_request(scope, err.status, started_at, client_ip)
                    return

        extra = verdict.headers() if verdict is not None else None
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in SECURITY_HEADERS:
                    if key not in present:
                        headers.append((key, value))
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", DEFAULT_CSP))
                if extra:
                    # A more specific limit's 429 (friend requests, messages) already
                    # carries its own X-RateLimit-*: one value per header, not two.
                    for k, v in extra.items():
                        if k.lower().encode() not in present:
                            headers.append((k.lower().encode(), v.encode()))
                message = {**message, "headers": headers}
            await send(message)

        # Every unit of work of this request starts with the reason (Tx.audit_reason).
        token = set_reason(reason)
        try:
            await self.app(scope, receive, send_wrapper)
        except _BodyTooLarge as err:
            if started:
                raise
            status = err.status
            await self._reject(send, err, verdict)
        finally:
            reset_reason(token)
            observe_request(scope, status, started_at, client_ip)

    def _client_ip(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = client[0] if client else None
        return self.rt.limits.client_ip(peer, _header(scope, b"x-forwarded-for"))

    def _body_limit(self, scope: Scope) -> int:
        ctype = _header(scope, b"content-type") or ""
        if ctype.lower().startswith("multipart/"):
            return self.rt.settings.max_upload_bytes + _MULTIPART_OVERHEAD
        return self.rt.settings.max_json_body_bytes

    def _too_large(self, scope: Scope) -> _BodyTooLarge:
        ctype = _header(scope, b"content-type") or ""
        if ctype.lower().startswith("multipart/"):
            return _BodyTooLarge(ErrorCode.FILE_TOO_LARGE, 413, "File too large")
        return _BodyTooLarge(ErrorCode.INVALID_INPUT, 413, "Request body too large")

    async def _reject(self, send: Send, err: AppError, verdict: Verdict | None) -> None:
        headers = [(b"content-type", b"application/json"), *SECURITY_HEADERS]
        headers.append((b"content-security-policy", DEFAULT_CSP))
        if verdict is not None:
            headers.extend((k.lower().encode(), v.encode()) for k, v in verdict.headers().items())
        body = orjson.dumps(err.body())
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": err.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    raw = _raw_header(scope, name)
    return None if raw is None else raw.decode("latin-1")


def _raw_header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def _limited(receive: Receive, limit: int, error: _BodyTooLarge) -> Receive:
    """Stop reading a body as soon as it passes its limit (chunked bodies too)."""
    seen = 0

    async def wrapped() -> Any:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise error
        return message

    return wrapped
