"""Serving the built web client at ``/`` with client-side routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from guildhall.errors import AppError

_PLACEHOLDER = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Guildhall</title></head><body><h1>Guildhall</h1>
<p>The web client is not built. Run <code>make build</code>.</p></body></html>"""

# Paths that belong to the server, never to the client's router.
_SERVER_PREFIXES = ("/api/", "/uploads/", "/socket.io/")


def mount_web_client(app: FastAPI, static_dir: Path) -> None:
    root = static_dir.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    async def web_client(path: str, request: Request) -> Response:
        if request.url.path.startswith(_SERVER_PREFIXES) or request.url.path in ("/api",):
            raise AppError("NOT_FOUND", 404, "Not found")
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
