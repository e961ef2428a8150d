"""The server's OpenAPI document (``/api/openapi.json``), true to what it answers.

Routes describe their own success bodies and domain errors (``kit.openapi.documented``).
This module adds, in one place, what follows from the app's shape rather than from
one route:

* no ``422``: validation failures answer ``400`` (``errors.validation_to_app_error``),
  so FastAPI's default 422 and its ``HTTPValidationError`` schemas are removed;
* authentication: routes that depend on the caller (``current_principal``) accept
  the ``session`` cookie with the ``X-CSRF-Token`` header on unsafe methods, or a
  bearer token; they document 401, and 403 on unsafe methods (CSRF);
* a JSON body can always be malformed: 400 on every route with a request body;
* the HTTP edge (``middleware.EdgeMiddleware``) answers 413 and 429 on any
  ``/api/`` route, and may add ``X-RateLimit-*`` to every ``/api/`` answer
  (``Retry-After`` on 429).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.openapi.utils import get_openapi

from guildhall.auth.deps import SESSION_COOKIE, current_principal
from guildhall.files.deps import streaming_principal
from guildhall.kit.openapi import ERROR_DESCRIPTIONS, ErrorBody

_UNSAFE = frozenset({"post", "put", "patch", "delete"})
_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}

SECURITY_SCHEMES = {
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "Set by register/login. Unsafe methods also need `csrf`.",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "The session's `csrf_token` (from login or `GET /api/me`).",
    },
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "The `token` from login; needs no CSRF header.",
    },
}

_INT = {"type": "integer", "minimum": 0}
HEADERS = {
    "X-RateLimit-Limit": {"schema": _INT, "description": "Requests allowed in the window"},
    "X-RateLimit-Remaining": {"schema": _INT, "description": "Requests left in the window"},
    "X-RateLimit-Reset": {"schema": _INT, "description": "Epoch seconds when a slot frees"},
    "Retry-After": {"schema": _INT, "required": True, "description": "Seconds to wait"},
}
_RATE_LIMIT = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def _header_refs(names: tuple[str, ...]) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _depends_on(dependant: Any, calls: set[Callable[..., Any]]) -> bool:
    return any(
        dep.call in calls or _depends_on(dep, calls)
        for dep in getattr(dependant, "dependencies", ())
    )


def _authenticated_routes(api: FastAPI) -> set[tuple[str, str]]:
    """(path, method) of every operation whose endpoint needs the caller."""
    found: set[tuple[str, str]] = set()
    for ctx in routing.iter_route_contexts(api.routes):
        if not isinstance(ctx.original_route, routing.APIRoute) or ctx.path_format is None:
            continue  # (an APIRoute always has its path)
        if _depends_on(ctx.dependant, {current_principal, streaming_principal}):
            found.update((ctx.path_format, m.lower()) for m in ctx.methods or ())
    return found


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def _error(operation: dict[str, Any], status: int) -> None:
    operation["responses"].setdefault(
        str(status),
        {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": dict(_ERROR_REF)}},
        },
    )


def complete(doc: dict[str, Any], authenticated: set[tuple[str, str]]) -> dict[str, Any]:
    """Apply the app-wide rules above to a document FastAPI generated."""
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.setdefault(
        "ErrorBody", ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    components["securitySchemes"] = SECURITY_SCHEMES
    components["headers"] = HEADERS
    for path, method, operation in _operations(doc):
        responses = operation["responses"]
        responses.pop("422", None)
        if (path, method) in authenticated:
            operation["security"] = (
                [{"session": [], "csrf": []}, {"bearer": []}]
                if method in _UNSAFE
                else [{"session": []}, {"bearer": []}]
            )
            _error(operation, 401)
            if method in _UNSAFE:
                _error(operation, 403)
        else:
            operation["security"] = []
        if "requestBody" in operation:
            _error(operation, 400)
        if path.startswith("/api/"):
            _error(operation, 413)
            _error(operation, 429)
            for status, response in responses.items():
                names = (*_RATE_LIMIT, "Retry-After") if status == "429" else _RATE_LIMIT
                response.setdefault("headers", {}).update(_header_refs(names))
        operation["responses"] = dict(sorted(responses.items()))
    return doc


def install_openapi(api: FastAPI) -> None:
    """Serve the completed document at the app's ``openapi_url`` (built once)."""

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            doc = get_openapi(
                title=api.title,
                version=api.version,
                openapi_version=api.openapi_version,
                description=api.description,
                routes=api.routes,
            )
            api.openapi_schema = complete(doc, _authenticated_routes(api))
        return api.openapi_schema

    # FastAPI's documented way to replace the schema ("Extending OpenAPI").
    api.openapi = openapi  # type: ignore[method-assign]
