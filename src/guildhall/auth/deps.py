"""Who is calling: the session cookie (with CSRF on unsafe methods) or a bearer token."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from guildhall.auth import service as auth_service
from guildhall.deps import TxDep
from guildhall.errors import AppError

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "session"
CSRF_COOKIE = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request or socket."""

    user_id: int
    username: str
    session_id: int
    csrf_token: str


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def current_principal(request: Request, tx: TxDep) -> Principal:
    bearer = bearer_token(request)
    token = bearer or request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AppError("AUTH_REQUIRED", 401, "Authentication required")
    principal = await auth_service.principal_for_token(tx, token)
    if principal is None:
        raise AppError("AUTH_REQUIRED", 401, "Authentication required")
    # A cookie is ambient (the browser adds it), so unsafe methods must prove
    # the caller could read the CSRF token; a bearer token is not ambient.
    if bearer is None and request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, principal.csrf_token):
            raise AppError("INVALID_CSRF_TOKEN", 403, "Missing or invalid CSRF token")
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]
