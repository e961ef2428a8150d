"""Answering ``GET``/``HEAD /uploads/...``: headers that keep stored bytes inert,
long-lived caching, conditional requests and single byte ranges.

Ranges (RFC 9110 §14): one range → 206 with ``Content-Range``; a range that
starts past the end → 416; a request for several ranges, or a malformed
``Range``, is answered with the whole file (200), which the RFC allows — so a
header listing hundreds of ranges costs nothing and never builds a multipart
answer. ``If-Range`` that does not match the ETag also gets the whole file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from guildhall.codes import ErrorCode
from guildhall.errors import AppError, error_response
from guildhall.ports.storage import StoredFile

# Never a document: no script, no plugin, no form; ``sandbox`` gives an opaque
# origin even if something still renders it. Inline styles let browsers' own
# image viewers lay the picture out.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
CACHE_FOREVER = "public, max-age=31536000, immutable"
_RANGE = re.compile(r"\s*bytes\s*=\s*(\d{0,18})\s*-\s*(\d{0,18})\s*", re.IGNORECASE | re.ASCII)
_MAX_RANGE_HEADER = 100


def etag_for(public_path: str, size: int) -> str:
    # Stored files never change under a path (paths are random and never reused),
    # so the path and size identify the content on every node.
    digest = hashlib.sha256(f"{public_path}\x00{size}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def content_disposition(filename: str, inline: bool) -> str:
    kind = "inline" if inline else "attachment"
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else "_" for c in filename)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def content_type(mimetype: str) -> str:
    return f"{mimetype}; charset=utf-8" if mimetype.startswith("text/") else mimetype


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (end exclusive) of a single satisfiable range; None to send
    the whole file; raises 416 when the range starts past the end."""
    if not header or len(header) > _MAX_RANGE_HEADER or "," in header:
        return None
    match = _RANGE.fullmatch(header)
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise _unsatisfiable(size)
        return max(0, size - suffix), size
    start = int(first)
    if last and int(last) < start:
        return None  # invalid range-spec: ignored
    if start >= size:
        raise _unsatisfiable(size)
    end = min(int(last) + 1, size) if last else size
    return start, end


def _unsatisfiable(size: int) -> AppError:
    return AppError(
        ErrorCode.RANGE_NOT_SATISFIABLE,
        416,
        "Requested range not satisfiable",
        headers={"Content-Range": f"bytes */{size}"},
    )


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


async def file_response(
    request: Request,
    stored: StoredFile,
    *,
    public_path: str,
    mimetype: str,
    filename: str,
    inline: bool,
) -> Response:
    size = stored.size
    etag = etag_for(public_path, size)
    headers = {
        "Content-Type": content_type(mimetype),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_CSP,
        "Content-Disposition": content_disposition(filename, inline),
        "Cache-Control": CACHE_FOREVER,
        "ETag": etag,
        "Accept-Ranges": "bytes",
    }
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and _etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)

    status, start, end = 200, 0, size
    if_range = request.headers.get("if-range")
    if if_range is None or if_range.strip() == etag:
        try:
            wanted = parse_range(request.headers.get("range"), size)
        except AppError as err:
            return error_response(err)
        if wanted is not None:
            status, (start, end) = 206, wanted
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)

    if request.method == "HEAD":
        # An empty body with our Content-Length: Starlette keeps a given length.
        return Response(status_code=status, headers=headers)
    # The first chunk is read before the headers go out: bytes deleted since
    # open() (an unattached-upload sweep, a message delete) raise ``Gone`` here,
    # for the caller's 404, not a 200 whose body breaks off.
    body = stored.iter_range(start, end)
    first = await anext(body, b"")
    return StreamingResponse(_chain(first, body), status_code=status, headers=headers)


async def _chain(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        yield chunk
