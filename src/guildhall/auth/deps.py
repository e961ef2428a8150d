"""Who is calling: the session cookie (with CSRF on unsafe methods) or a bearer token."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from guildhall.auth import service as auth_service
from guildhall.auth.principal import Principal
from guildhall.codes import ErrorCode
from guildhall.deps import TxDep
from guildhall.errors import AppError
from guildhall.runtime import Tx

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "session"
CSRF_COOKIE = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def session_token(request: Request) -> str:
    """The request's session token (bearer first, then the cookie); 401 without one."""
    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AppError(ErrorCode.AUTH_REQUIRED, 401, "Authentication required")
    return token


async def credentials(request: Request) -> str:
    """``session_token`` as a dependency. A coroutine, so FastAPI runs it on the
    loop: a plain function dependency costs a trip to its thread pool a request."""
    return session_token(request)


async def authenticate(request: Request, tx: Tx) -> Principal:
    """The caller of ``request``, looked up in ``tx``; 401, or 403 without CSRF proof."""
    bearer = bearer_token(request)
    principal = await auth_service.principal_for_token(tx, session_token(request))
    if principal is None:
        raise AppError(ErrorCode.AUTH_REQUIRED, 401, "Authentication required")
    # A cookie is ambient (the browser adds it), so unsafe methods must prove
    # the caller could read the CSRF token; a bearer token is not ambient.
    if bearer is None and request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, principal.csrf_token):
            raise AppError(ErrorCode.INVALID_CSRF_TOKEN, 403, "Missing or invalid CSRF token")
    request.state.principal = principal
    return principal


async def current_principal(request: Request, tx: TxDep) -> Principal:
    return await authenticate(request, tx)


CurrentUser = Annotated[Principal, Depends(current_principal)]
# A token is there (or 401 before the body is read); who it is, the route looks up
# in its own unit of work (a group-committed send: auth.deps.authenticate).
Credentials = Annotated[str, Depends(credentials)]
