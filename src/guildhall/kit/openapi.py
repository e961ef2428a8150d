"""Documentation of routes in the OpenAPI document, without touching their answers.

Endpoints return plain dicts; the models here and in each domain's ``schemas.py``
only *describe* those dicts. :func:`documented` puts them in a route's
``responses=`` and sets ``response_model=None``, so FastAPI never filters or
re-validates an answer: a field the code adds stays in the answer (the contract
lets responses grow) even before its model names it.

What every route shares — 401 and the CSRF 403 of authenticated routes, 413 and
429 of the HTTP edge, the ``X-RateLimit-*`` headers, no 422 — is added to the
whole document in one place, ``guildhall/openapi.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import SkipJsonSchema

from guildhall.codes import ErrorCode, codes_for

# A path id of a user, guild, channel or message. Taken as text and parsed by
# ``kit.parse.int_id`` (anything that is not a positive integer is that resource's
# 404, not a validation error), and documented as the integer it is.
IdParam = Annotated[
    str, Path(json_schema_extra={"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
]

# A query value read as text (absent and empty both mean "not given"); the
# document shows only the value's own type, not a null no client can send.
QueryText = str | SkipJsonSchema[None]


def int_query(lo: int | None = None, hi: int | None = None, description: str | None = None) -> Any:
    """A query integer parsed by ``kit.parse.bounded_int``, documented with its bounds
    (an empty value, ``?limit=``, means "not given", as the parser takes it)."""
    integer: dict[str, Any] = {"type": "integer"}
    if lo is not None:
        integer["minimum"] = lo
    if hi is not None:
        integer["maximum"] = hi

    def schema(generated: dict[str, Any]) -> None:
        generated.pop("type", None)
        generated["anyOf"] = [integer, {"type": "string", "maxLength": 0}]

    return Query(None, description=description, json_schema_extra=schema)


class Read(BaseModel):
    """Base of response descriptions: more fields than named may come (never fewer)."""

    model_config = ConfigDict(extra="allow")


class ErrorBody(Read):
    """Every 4xx/5xx answer."""

    error: str
    code: ErrorCode
    details: dict[str, Any]


class StatusMessage(Read):
    """``{"message": "..."}`` confirmations (logout, deletions, friends, pins)."""

    message: str


class Success(Read):
    """``{"success": true}`` (emoji and sticker deletion)."""

    success: bool


_ERROR_SUMMARIES = {
    400: "Invalid input (`details.field` names the field), or a rule of this resource",
    401: "Not signed in, or wrong credentials",
    403: "Not allowed: missing/wrong `X-CSRF-Token` on a cookie-authenticated unsafe "
    "method, not a member, or not permitted",
    404: "Not found (a path id that is not a positive integer is never found)",
    409: "Conflict with an existing object",
    413: "Body over its limit (files, or JSON)",
    416: "Range not satisfiable",
    429: "Rate limited; see `Retry-After`",
    500: "Internal error",
    503: "A service the server needs is not configured or not reachable",
}

# The codes come from the one list (``codes.STATUSES``), never spelled here.
ERROR_DESCRIPTIONS = {
    status: f"{summary}. Codes: " + ", ".join(f"`{code}`" for code in codes_for(status))
    for status, summary in _ERROR_SUMMARIES.items()
}


def error_response(status: int) -> dict[str, Any]:
    return {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[status]}


def documented(
    ok: Any,
    status: int = 200,
    errors: Iterable[int] = (),
    description: str | None = None,
) -> dict[str, Any]:
    """Decorator keywords for a route answering ``ok`` (a model, ``list[Model]``)
    with ``status``, or one of ``errors`` with the shared error body::

        @router.post("/guilds", **documented(GuildRead, 201, errors=(400,)))
    """
    responses: dict[int | str, dict[str, Any]] = {
        status: {"model": ok, "description": description or "Success"}
    }
    for code in errors:
        responses[code] = error_response(code)
    return {"status_code": status, "response_model": None, "responses": responses}


def multipart_body(required: Iterable[str], **fields: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` for an endpoint that streams its ``multipart/form-data``
    body itself (``files.multipart.read_form``), so FastAPI cannot see the form."""
    schema = {"type": "object", "properties": fields, "required": list(required)}
    return {
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": schema}},
        }
    }


FILE_FIELD: dict[str, Any] = {"type": "string", "format": "binary"}
