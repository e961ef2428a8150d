"""Errors are data: one exception type rendered by one handler into the contract's
``{"error", "code", "details"}`` body."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from guildhall.codes import ErrorCode
from guildhall.kit.responses import JSONResponse

log = logging.getLogger("guildhall.errors")


class AppError(StarletteHTTPException):
    """A failure the client caused or may see: machine code, HTTP status, message.

    It is an ``HTTPException`` so that it also passes unchanged through framework
    code that converts other exceptions (for example while reading a body).
    """

    def __init__(
        self,
        code: ErrorCode,
        status: int = 400,
        message: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        # ``ErrorCode(...)`` also refuses a code that is not in the one list.
        self.code = ErrorCode(code)
        self.status = status
        self.message = message or code.replace("_", " ").capitalize()
        self.details = details or {}
        super().__init__(status, self.message, headers)

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "code": self.code, "details": self.details}


def invalid(field: str, message: str) -> AppError:
    return AppError(ErrorCode.INVALID_INPUT, 400, message, {"field": field})


def missing(field: str) -> AppError:
    return AppError(ErrorCode.MISSING_REQUIRED_FIELD, 400, f"{field} is required", {"field": field})


def not_found(code: ErrorCode, message: str | None = None) -> AppError:
    return AppError(code, 404, message)


def forbidden(
    code: ErrorCode = ErrorCode.INSUFFICIENT_PERMISSIONS, message: str | None = None
) -> AppError:
    return AppError(code, 403, message)


def error_response(err: AppError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers)


_STATUS_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.INVALID_INPUT,
    401: ErrorCode.AUTH_REQUIRED,
    403: ErrorCode.INSUFFICIENT_PERMISSIONS,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.INVALID_INPUT,
    415: ErrorCode.INVALID_INPUT,
    429: ErrorCode.RATE_LIMIT_EXCEEDED,
}


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """``("body", "files", 0)`` → ``files.0``. Only the field and list positions:
    pydantic also puts union members' type tags (``"bool"``, ``"int"``) in ``loc``."""
    parts = [p for p in loc if p not in ("body", "query", "path", "form", "header", "cookie")]
    if not parts:
        return None
    field = [str(parts[0])]
    for p in parts[1:]:
        if not isinstance(p, int):
            break
        field.append(str(p))
    return ".".join(field)


def validation_to_app_error(exc: RequestValidationError) -> AppError:
    """Map pydantic's first complaint to the contract's codes (never a 422)."""
    errors = exc.errors()
    if not errors:
        return AppError(ErrorCode.INVALID_INPUT, 400, "Invalid input")
    first = errors[0]
    field = _field_of(first.get("loc", ()))
    kind = first.get("type", "")
    if kind == "json_invalid":
        return AppError(ErrorCode.INVALID_INPUT, 400, "Malformed JSON body", {})
    if kind == "missing" and field:
        return AppError(
            ErrorCode.MISSING_REQUIRED_FIELD, 400, f"{field} is required", {"field": field}
        )
    msg = str(first.get("msg", "Invalid value"))
    if field:
        return AppError(ErrorCode.INVALID_INPUT, 400, f"{field}: {msg}", {"field": field})
    return AppError(ErrorCode.INVALID_INPUT, 400, msg, {})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(validation_to_app_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, ErrorCode.INVALID_INPUT)
        message = {404: "Not found", 405: "Method not allowed"}.get(
            exc.status_code, str(exc.detail)
        )
        return error_response(
            AppError(code, exc.status_code, message, headers=getattr(exc, "headers", None))
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(AppError(ErrorCode.INTERNAL_ERROR, 500, "Internal server error"))
