"""The app's route table, flattened: every (method, path) the app answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def _walk(routes: list[Any]) -> Iterator[tuple[str, str]]:
    for route in routes:
        # FastAPI >= 0.16x keeps included routers as one node each.
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for ctx in contexts():
                for method in ctx.methods or ():
                    yield method, ctx.path
            continue
        sub = getattr(route, "routes", None)
        if sub is not None and not hasattr(route, "methods"):
            yield from _walk(sub)
            continue
        for method in getattr(route, "methods", None) or ():
            yield method, route.path


def route_table(application: Any) -> set[tuple[str, str]]:
    """Every (method, path) of the FastAPI app under ``create_app(...).api``.

    HEAD rides along with GET wherever Starlette adds it; it is left out so a
    route is one row per thing it does."""
    return {(m, p) for m, p in _walk(application.api.routes) if m != "HEAD"}


def api_routes(application: Any) -> set[tuple[str, str]]:
    return {(m, p) for m, p in route_table(application) if p.startswith("/api/")}


def json_bodies(application: Any) -> dict[tuple[str, str], Any]:
    """(method, path) → the pydantic model of its JSON body, for routes that take one."""
    out = {}
    for route in application.api.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for ctx in contexts() if contexts is not None else ():
            if ctx.body_field is None:
                continue
            model = ctx.body_field.field_info.annotation
            # ``Model | None`` (an optional body): the model.
            for arg in getattr(model, "__args__", ()) or ():
                if arg is not type(None):
                    model = arg
            for method in ctx.methods or ():
                out[(method, ctx.path)] = model
    return out
