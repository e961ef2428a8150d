"""``POST /api/upload`` and ``GET``/``HEAD /uploads/...``."""

from __future__ import annotations

import unicodedata
from typing import Any

from fastapi import APIRouter, Request, Response

from guildhall.deps import RuntimeDep
from guildhall.files import service
from guildhall.files.deps import StreamingUser
from guildhall.files.multipart import read_form
from guildhall.files.serve import file_response
from guildhall.files.storage import storage_for

router = APIRouter(prefix="/api", tags=["files"])
# Served at the site root (``/uploads/...``), as the contract's paths are.
uploads_router = APIRouter(tags=["files"])


@router.post("/upload", status_code=201)
async def upload(request: Request, principal: StreamingUser, rt: RuntimeDep) -> dict[str, Any]:
    await rt.limits.upload.check(principal.user_id, "RATE_LIMIT_EXCEEDED", "Too many uploads")
    async with storage_for(rt).staging() as staged:
        form = await read_form(request, staged, file_limit=rt.settings.max_upload_bytes)
        return await service.create_upload(rt, principal.user_id, staged, form.file)


@uploads_router.api_route("/uploads/{path:path}", methods=["GET", "HEAD"])
async def serve(path: str, request: Request, rt: RuntimeDep) -> Response:
    public_path = unicodedata.normalize("NFC", f"uploads/{path}")
    served, stored = await service.open_stored(rt, public_path)
    return file_response(
        request,
        stored,
        public_path=public_path,
        mimetype=served.mimetype,
        filename=served.filename,
        inline=served.inline,
    )
