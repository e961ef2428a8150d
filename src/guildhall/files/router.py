"""``POST /api/upload`` and ``GET``/``HEAD /uploads/...``."""

from __future__ import annotations

import unicodedata
from typing import Any

from fastapi import APIRouter, Request, Response

from guildhall.codes import ErrorCode
from guildhall.deps import RuntimeDep
from guildhall.files import service
from guildhall.files.deps import StreamingUser
from guildhall.files.multipart import read_form
from guildhall.files.schemas import UploadRead
from guildhall.files.serve import file_response
from guildhall.kit.openapi import FILE_FIELD, documented, error_response, multipart_body
from guildhall.ports.storage import Gone

router = APIRouter(prefix="/api", tags=["files"])
# Served at the site root (``/uploads/...``), as the contract's paths are.
uploads_router = APIRouter(tags=["files"])


@router.post(
    "/upload",
    **documented(UploadRead, 201, errors=(400,)),
    openapi_extra=multipart_body(["file"], file=FILE_FIELD),
)
async def upload(request: Request, principal: StreamingUser, rt: RuntimeDep) -> dict[str, Any]:
    await rt.limits.upload.check(
        principal.user_id, ErrorCode.RATE_LIMIT_EXCEEDED, "Too many uploads"
    )
    async with rt.storage.staging() as staged:
        form = await read_form(request, staged, file_limit=rt.settings.max_upload_bytes)
        return await service.create_upload(rt, principal.user_id, staged, form.file)


_SERVED: dict[int | str, dict[str, Any]] = {
    200: {"description": "The stored bytes", "content": {"*/*": {}}},
    206: {"description": "One byte range (`Range`)", "content": {"*/*": {}}},
    304: {"description": "Not modified (`If-None-Match`)"},
    404: error_response(404),
    416: error_response(416),
}


# Two routes, not one with two methods: each gets its own OpenAPI operation id.
@uploads_router.get(
    "/uploads/{path:path}", response_model=None, response_class=Response, responses=_SERVED
)
@uploads_router.head(
    "/uploads/{path:path}", response_model=None, response_class=Response, responses=_SERVED
)
async def serve(path: str, request: Request, rt: RuntimeDep) -> Response:
    public_path = unicodedata.normalize("NFC", f"uploads/{path}")
    served, stored = await service.open_stored(rt, public_path)
    try:
        return await file_response(
            request,
            stored,
            public_path=public_path,
            mimetype=served.mimetype,
            filename=served.filename,
            inline=served.inline,
        )
    except Gone:  # deleted between open and the first read
        raise service.not_found() from None
