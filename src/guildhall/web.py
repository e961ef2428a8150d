"""Serving the built web client at ``/`` with client-side routes."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

log = logging.getLogger("guildhall.web")

_PLACEHOLDER = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Guildhall</title></head><body><h1>Guildhall</h1>
<p>The web client is not built. Run <code>make build</code>.</p></body></html>"""

# Paths that belong to the server, never to the client's router.
_SERVER_PREFIXES = ("/api/", "/uploads/", "/socket.io/")


class _ClientRoute(Route):
    """The client's catch-all, which never claims a server path: so an API path
    with the wrong method still answers 405 and an unknown one 404."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope.get("path", "")
        if path.startswith(_SERVER_PREFIXES) or path == "/api":
            return Match.NONE, {}
        return super().matches(scope)


def mount_web_client(app: FastAPI, static_dir: Path) -> None:
    root = static_dir.resolve()
    if not (root / "index.html").is_file():
        log.warning(
            "WEB CLIENT MISSING: %s has no index.html; / shows a placeholder page. "
            "Build it with `make build` (or install a wheel built where npm was present).",
            root,
        )

    async def web_client(request: Request) -> Response:
        path: str = request.path_params["path"]
        if path:
            candidate = (root / path).resolve()
            if candidate.is_file() and candidate.is_relative_to(root):
                # Vite names assets by content hash: cache them for a year.
                cache = (
                    "public, max-age=31536000, immutable"
                    if path.startswith("assets/")
                    else "no-cache"
                )
                return FileResponse(candidate, headers={"Cache-Control": cache})
        index = root / "index.html"
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(_PLACEHOLDER)

    app.router.routes.append(
        _ClientRoute("/{path:path}", web_client, methods=["GET", "HEAD"], include_in_schema=False)
    )
