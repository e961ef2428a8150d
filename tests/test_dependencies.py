"""Every dependency of every route is a coroutine (or an async generator).

FastAPI runs a plain-function dependency in its thread pool: a trip to another
thread and back on every request that uses it, for what are attribute reads.
Two such (the runtime, the session token) cost every send a measurable share of
its CPU (docs/decisions/write-path.md)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from fastapi.routing import APIRoute

from guildhall import observability
from guildhall.app import ROUTERS

pytestmark = pytest.mark.one_engine


def _calls(dependant: Any) -> list[Any]:
    found = []
    for dep in dependant.dependencies:
        found.append(dep.call)
        found.extend(_calls(dep))
    return found


def test_no_route_waits_on_the_thread_pool_for_a_dependency() -> None:
    routers = [*ROUTERS, observability.router]  # what create_app includes
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 50  # the whole API is here
    plain = {
        f"{route.path} {sorted(route.methods)}: {call.__qualname__}"
        for route in routes
        for call in _calls(route.dependant)
        if not (inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call))
    }
    assert not plain, sorted(plain)
    # and the endpoints themselves
    sync = [r.path for r in routes if not inspect.iscoroutinefunction(r.endpoint)]
    assert not sync
