"""Serving the built web client at ``/`` with client-side routes."""

from __future__ import annotations

import logging
import mimetypes
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


def _accepts_gzip(header: str) -> bool:
    """``gzip`` listed in Accept-Encoding and not refused with ``q=0``."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().lower().removeprefix("q=")
            try:
                return not params.strip() or float(q) > 0
            except ValueError:
                return False
    return False


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
                if not path.startswith("assets/"):
                    return FileResponse(candidate, headers={"Cache-Control": "no-cache"})
                headers = {"Cache-Control": "public, max-age=31536000, immutable"}
                # The build writes a gzipped twin of each script and stylesheet: on a slow
                # link the first load downloads a third of the bytes.
                packed = candidate.with_name(candidate.name + ".gz")
                if packed.is_file():
                    headers["Vary"] = "Accept-Encoding"
                    if _accepts_gzip(request.headers.get("accept-encoding", "")):
                        headers["Content-Encoding"] = "gzip"
                        media = mimetypes.guess_type(candidate.name)[0] or "text/plain"
                        return FileResponse(packed, headers=headers, media_type=media)
                return FileResponse(candidate, headers=headers)
        index = root / "index.html"
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(_PLACEHOLDER)

    app.router.routes.append(
        _ClientRoute("/{path:path}", web_client, methods=["GET", "HEAD"], include_in_schema=False)
    )
