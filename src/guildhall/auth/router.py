"""Register, log in, log out, the current user, password change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from guildhall.auth import recovery, service
from guildhall.auth.deps import CSRF_COOKIE, SESSION_COOKIE, CurrentUser
from guildhall.auth.schemas import (
    LoginIn,
    MeRead,
    PasswordChanged,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    RegisterIn,
    SignedIn,
)
from guildhall.auth.serialize import me_view, public_self
from guildhall.codes import ErrorCode
from guildhall.deps import RuntimeDep, TxDep
from guildhall.errors import AppError
from guildhall.files.deps import StreamingUser
from guildhall.kit.openapi import StatusMessage, documented
from guildhall.kit.responses import JSONResponse
from guildhall.runtime import Runtime
from guildhall.users import service as users_service
from guildhall.users.schemas import MeUpdate

router = APIRouter(prefix="/api", tags=["auth"])


def _require_json(request: Request) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise AppError(ErrorCode.INVALID_INPUT, 400, "Body must be application/json", {})


def _signed_in(
    rt: Runtime, body: dict[str, Any], token: str, csrf: str, status: int = 200
) -> JSONResponse:
    response = JSONResponse({**body, "csrf_token": csrf, "token": token}, status_code=status)
    set_session_cookies(rt, response, token, csrf)
    return response


def set_session_cookies(rt: Runtime, response: Response, token: str, csrf: str) -> None:
    secure = rt.settings.secure_cookies
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/"
    )
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="lax", secure=secure, path="/")


@router.post("/register", **documented(SignedIn, 201, errors=(400,)))
async def register(body: RegisterIn, request: Request, rt: RuntimeDep) -> JSONResponse:
    _require_json(request)
    username, email, password_hash = await service.validate_registration(
        body.username, body.password, body.email
    )
    async with rt.transaction() as tx:
        user = await service.register(tx, username, email, password_hash)
        token, csrf = await service.create_session(tx, user.id)
    return _signed_in(rt, public_self(user), token, csrf, status=201)


@router.post("/login", **documented(SignedIn, errors=(400, 401)))
async def login(body: LoginIn, request: Request, rt: RuntimeDep) -> JSONResponse:
    _require_json(request)
    async with rt.transaction(write=False) as tx:
        user = await service.find_login_user(tx, body.username)
    user = await service.check_credentials(rt, user, body.username, body.password)
    async with rt.transaction() as tx:
        token, csrf = await service.create_session(tx, user.id)
    return _signed_in(rt, public_self(user), token, csrf)


@router.post("/logout", **documented(StatusMessage))
async def logout(principal: CurrentUser, tx: TxDep) -> JSONResponse:
    await service.end_session(tx, principal)
    response = JSONResponse({"message": "Successfully logged out"})
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", **documented(MeRead))
async def me(principal: CurrentUser, tx: TxDep) -> dict[str, Any]:
    return await me_view(tx, principal.user_id, principal.csrf_token)


# No request transaction (the caller is checked in a short read-only unit): an
# avatar's image work must not hold SQLite's write lock (see the service).
@router.put("/me", **documented(MeRead, errors=(400,)))
async def update_me(body: MeUpdate, principal: StreamingUser, rt: RuntimeDep) -> dict[str, Any]:
    changes = body.model_dump(include=body.model_fields_set)
    await users_service.update_me(rt, principal.user_id, changes)
    async with rt.transaction(write=False) as tx:
        return await me_view(tx, principal.user_id, principal.csrf_token)


@router.post("/me/password", **documented(PasswordChanged, errors=(400,)))
async def change_password(
    body: PasswordChangeIn, principal: CurrentUser, tx: TxDep
) -> JSONResponse:
    token, csrf = await service.change_password(tx, principal, body.old_password, body.new_password)
    response = JSONResponse({"message": "Password changed", "csrf_token": csrf, "token": token})
    set_session_cookies(tx.rt, response, token, csrf)
    return response


RESET_REQUESTED = "If that email is registered, a reset link has been sent"


# No session and no CSRF (like register/login): whoever forgot a password has none.
@router.post(
    "/password-reset",
    **documented(
        StatusMessage,
        202,
        errors=(400, 503),
        description="The same answer whether or not the email is registered",
    ),
)
async def request_password_reset(
    body: PasswordResetIn, request: Request, tx: TxDep
) -> JSONResponse:
    lang = recovery.language(request.headers.get("accept-language"))
    await recovery.request_reset(tx, body.email, lang)
    return JSONResponse({"message": RESET_REQUESTED}, status_code=202)


@router.post("/password-reset/confirm", **documented(StatusMessage, errors=(400,)))
async def confirm_password_reset(body: PasswordResetConfirmIn, rt: RuntimeDep) -> dict[str, str]:
    await recovery.confirm_reset(rt, body.token, body.new_password)
    return {"message": "Password changed"}
