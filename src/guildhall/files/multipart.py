"""Streaming ``multipart/form-data`` reading with hard limits.

The one file part is written to a staged file while its bytes are counted; the
read stops at the first byte past the limit (413 ``FILE_TOO_LARGE``). Memory
stays bounded whatever the body: file data is flushed to disk every few hundred
KB, text fields are capped, and python-multipart bounds every part header line
and the number of header lines of a part. The number of parts is capped too,
and so is the whole body (file limit plus a little for headers and fields), so
that ignored parts cannot make us read without end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid, missing
from guildhall.ports.storage import Staged

if TYPE_CHECKING:  # defined for type checkers only
    from python_multipart.multipart import MultipartCallbacks

MAX_PARTS = 8
MAX_FIELD_BYTES = 4096
# One part header line: room for any real file name (and long ones we shorten).
MAX_HEADER_LINE = 8192
MAX_HEADERS_PER_PART = 8
# Everything that is not file data: boundaries, part headers, text fields.
BODY_OVERHEAD = 64 * 1024
_FLUSH_BYTES = 256 * 1024


def too_large() -> AppError:
    return AppError(ErrorCode.FILE_TOO_LARGE, 413, "File too large")


@dataclass
class FormFile:
    client_name: str | None  # as sent; sanitize before use
    size: int = 0


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    file: FormFile | None = None


@dataclass
class _Part:
    disposition: bytes = b""
    header_name: bytes = b""
    header_value: bytes = b""
    kind: str = "ignored"  # "file" | "field" | "ignored"
    name: str = ""
    data: bytearray = field(default_factory=bytearray)


class _Reader:
    def __init__(self, file_field: str, text_fields: frozenset[str], file_limit: int) -> None:
        self.file_field = file_field
        self.text_fields = text_fields
        self.file_limit = file_limit
        self.form = Form()
        self.part = _Part()
        self.parts = 0
        self.pending: list[bytes] = []
        self.pending_bytes = 0
        self.ended = False

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise AppError(ErrorCode.INVALID_INPUT, 400, "Too many parts in the form", {})
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.part.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.part.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.part.header_name.strip().lower() == b"content-disposition":
            self.part.disposition = self.part.header_value
        self.part.header_name = b""
        self.part.header_value = b""

    def on_headers_finished(self) -> None:
        kind, options = parse_options_header(self.part.disposition)
        raw_name = options.get(b"name")
        if kind != b"form-data" or raw_name is None:
            raise AppError(ErrorCode.INVALID_INPUT, 400, "Malformed form part", {})
        name = _decode(raw_name)
        if name == self.file_field:
            if self.form.file is not None:
                raise invalid(name, "Send one file")
            raw_filename = options.get(b"filename")
            self.form.file = FormFile(_decode(raw_filename) if raw_filename else None)
            self.part.kind = "file"
        elif name in self.text_fields:
            if name in self.form.fields:
                raise invalid(name, f"{name} was sent twice")
            self.part.kind = "field"
        self.part.name = name

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.part.kind == "file":
            assert self.form.file is not None
            self.form.file.size += end - start
            if self.form.file.size > self.file_limit:
                raise too_large()
            self.pending.append(data[start:end])
            self.pending_bytes += end - start
        elif self.part.kind == "field":
            if len(self.part.data) + end - start > MAX_FIELD_BYTES:
                raise invalid(self.part.name, f"{self.part.name} is too long")
            self.part.data += data[start:end]

    def on_part_end(self) -> None:
        if self.part.kind == "field":
            try:
                self.form.fields[self.part.name] = self.part.data.decode("utf-8")
            except UnicodeDecodeError:
                raise invalid(self.part.name, f"{self.part.name} must be UTF-8 text") from None

    def on_end(self) -> None:
        self.ended = True

    def take_pending(self) -> bytes:
        data = b"".join(self.pending)
        self.pending.clear()
        self.pending_bytes = 0
        return data


def _decode(raw: bytes) -> str:
    # Browsers send names as raw UTF-8; python-multipart hands them over as bytes.
    return raw.decode("utf-8", errors="replace")


async def read_form(
    request: Request,
    staged: Staged,
    *,
    file_limit: int,
    file_field: str = "file",
    text_fields: frozenset[str] = frozenset(),
) -> Form:
    """Read a multipart body: the file part into ``staged``, the named text fields
    into ``Form.fields``; other parts are skipped. Raises the contract's errors."""
    ctype, params = parse_options_header(request.headers.get("content-type"))
    if ctype != b"multipart/form-data":
        raise missing(file_field)
    boundary = params.get(b"boundary")
    if not boundary:
        raise AppError(ErrorCode.INVALID_INPUT, 400, "Multipart body without a boundary", {})

    reader = _Reader(file_field, text_fields, file_limit)
    callbacks: MultipartCallbacks = {
        "on_part_begin": reader.on_part_begin,
        "on_part_data": reader.on_part_data,
        "on_part_end": reader.on_part_end,
        "on_header_field": reader.on_header_field,
        "on_header_value": reader.on_header_value,
        "on_header_end": reader.on_header_end,
        "on_headers_finished": reader.on_headers_finished,
        "on_end": reader.on_end,
    }
    body_limit = file_limit + BODY_OVERHEAD
    received = 0
    try:
        parser = MultipartParser(
            boundary,
            callbacks,
            max_header_count=MAX_HEADERS_PER_PART,
            max_header_size=MAX_HEADER_LINE,
        )
        async for chunk in request.stream():
            received += len(chunk)
            if received > body_limit:
                raise too_large()
            parser.write(chunk)
            if reader.pending_bytes >= _FLUSH_BYTES:
                await staged.write(reader.take_pending())
        parser.finalize()
    except FormParserError:
        raise AppError(ErrorCode.INVALID_INPUT, 400, "Malformed multipart body", {}) from None
    except ClientDisconnect:
        raise AppError(ErrorCode.INVALID_INPUT, 400, "The client went away", {}) from None
    if not reader.ended:
        raise AppError(ErrorCode.INVALID_INPUT, 400, "Incomplete multipart body", {})
    if reader.pending_bytes:
        await staged.write(reader.take_pending())
    return reader.form
