"""uvicorn's httptools protocol with a bound on a request's head.

httptools (llhttp) has no limit of its own: it buffers a header of any size, and
any number of headers, before the app sees the request, so one client could make
the process hold gigabytes. Past ``MAX_HEAD_BYTES`` of request line and headers
the connection gets a 431 and is closed. (uvicorn's h11 protocol has such a limit;
httptools is kept for its speed.)
"""

from __future__ import annotations

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from guildhall.codes import ErrorCode

# Browsers send a few KB; nginx's default ceiling is 32 KB. Memory held per
# connection stays under this plus one socket read (256 KB).
MAX_HEAD_BYTES = 64 * 1024


def _too_large() -> bytes:
    from guildhall.middleware import DEFAULT_CSP, SECURITY_HEADERS

    body = orjson.dumps(
        {"error": "Request headers too large", "code": ErrorCode.INVALID_INPUT, "details": {}}
    )
    head = [
        b"HTTP/1.1 431 Request Header Fields Too Large",
        b"content-type: application/json",
        b"content-length: " + str(len(body)).encode(),
        b"connection: close",
        *(k + b": " + v for k, v in SECURITY_HEADERS),
        b"content-security-policy: " + DEFAULT_CSP,
    ]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    _head_done = False
    _head_bytes = 0

    def data_received(self, data: bytes) -> None:
        if self._head_done:
            super().data_received(data)
            return
        self._head_bytes += len(data)
        super().data_received(data)
        # Counted per read, so a head and the start of its body in one read may
        # exceed the bound only by that read; rejected only if the head is still open.
        if not self._head_done and self._head_bytes > MAX_HEAD_BYTES:
            self.logger.warning("Request head over %d bytes refused", MAX_HEAD_BYTES)
            if not self.transport.is_closing():
                self.transport.write(_too_large())
                self.transport.close()

    def on_headers_complete(self) -> None:
        self._head_done = True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        # The next request on this keep-alive connection starts a new head.
        self._head_done = False
        self._head_bytes = 0
        super().on_message_complete()
