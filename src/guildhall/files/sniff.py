"""What a file is, decided from its bytes alone (never its name or the client's
Content-Type), and whether we accept it.

Pure: every function reads only the seekable binary file it is given. The name
is consulted once, and only after the bytes are proven to be text, to choose
among the text types (Markdown, CSV, JSON, plain). The rules are written down in
``docs/decisions/files.md``; the short form:

* images (PNG, JPEG, GIF, WebP) by signature, then checked by Pillow with the
  dimensions bounded *before* any pixel is decoded; their first KB must not
  hold HTML/SVG markup (images are the one type served inline);
* PDF, GZIP, 7z, TAR (``ustar`` with a valid header checksum) by signature;
* ZIP by signature and a readable central directory, refined to DOCX / XLSX /
  PPTX (``[Content_Types].xml`` plus the main part) or ODT / ODS (first entry
  ``mimetype``);
* text: valid UTF-8 without NUL, not a script (``#!``), not markup;
* executables (ELF, PE, Mach-O) and everything else are refused.
"""

from __future__ import annotations

import json
import re
import struct
import tarfile
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image

# The largest image we accept as an upload: about 8000×8000. Pillow's own bomb
# guard is set to the same figure so that no decoder allocates beyond it.
MAX_UPLOAD_PIXELS = 64 * 1024 * 1024
Image.MAX_IMAGE_PIXELS = MAX_UPLOAD_PIXELS
# Larger images are kept as downloads, never previewed (contract section 19).
PREVIEW_MAX_PIXELS = 40_000_000

HEAD_BYTES = 64 * 1024
# Markup is looked for in the first KB of an image (where a browser that still
# sniffs would look) and in the first 8 KB of a text.
IMAGE_MARKUP_WINDOW = 1024
TEXT_MARKUP_WINDOW = 8 * 1024
# Past this many ``[``/``{`` a "JSON" file is refused: parsing it would build
# millions of containers (memory grows far beyond the file's size).
JSON_MAX_CONTAINERS = 250_000
ZIP_MARKER_MAX_BYTES = 1024 * 1024


class Refused(Exception):
    """The content is not an allowed type; ``str(exc)`` says why, for the client."""


@dataclass(frozen=True, slots=True)
class FileType:
    mimetype: str
    extension: str  # canonical, without the dot
    image_format: str | None = None  # Pillow's name for images, else None

    @property
    def is_image(self) -> bool:
        return self.image_format is not None


@dataclass(frozen=True, slots=True)
class ImageInfo:
    format: str
    width: int
    height: int
    animated: bool


PNG = FileType("image/png", "png", "PNG")
JPEG = FileType("image/jpeg", "jpg", "JPEG")
GIF = FileType("image/gif", "gif", "GIF")
WEBP = FileType("image/webp", "webp", "WEBP")
PDF = FileType("application/pdf", "pdf")
ZIP = FileType("application/zip", "zip")
GZIP = FileType("application/gzip", "gz")
TAR = FileType("application/x-tar", "tar")
SEVEN_Z = FileType("application/x-7z-compressed", "7z")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
PPTX = FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx")
ODT = FileType("application/vnd.oasis.opendocument.text", "odt")
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", "ods")
TEXT = FileType("text/plain", "txt")
MARKDOWN = FileType("text/markdown", "md")
CSV = FileType("text/csv", "csv")
JSON = FileType("application/json", "json")

IMAGE_TYPES = {fmt: t for t in (PNG, JPEG, GIF, WEBP) if (fmt := t.image_format) is not None}
_TEXT_BY_EXTENSION = {"md": MARKDOWN, "markdown": MARKDOWN, "csv": CSV, "json": JSON}

_EXECUTABLE_MAGIC = (
    b"\x7fELF",  # ELF
    b"MZ",  # PE / DOS
    b"\xfe\xed\xfa\xce",  # Mach-O 32/64, both byte orders
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal (and Java classes)
    b"\x00asm",  # WebAssembly
    b"#!",  # scripts
)

# Tags that make a browser (or anything that sniffs) treat bytes as an active
# document. Matched case-insensitively, as a tag opening: ``<svg`` then a
# whitespace, ``/``, ``>`` or the end.
_ACTIVE_TAGS = (
    "html|head|body|script|svg|iframe|frame|frameset|object|embed|applet|"
    "meta|link|base|form|style|math|xml|template|portal|xsl:[a-z]+"
)
_TEXT_MARKUP = re.compile(
    rf"<(?:!doctype|\?xml|!entity|!\[cdata\[|(?:{_ACTIVE_TAGS})(?=[\s/>]|$))", re.IGNORECASE
)
# In images only the tags that start a document: metadata packets (XMP) in
# ordinary photos legitimately hold ``<?xpacket``/``<x:xmpmeta``/``<rdf:...``.
_IMAGE_MARKUP = re.compile(
    rb"<(?:!doctype|(?:html|head|body|script|svg|iframe|frame|frameset|object|embed|applet)"
    rb"(?=[\s/>]|$))",
    re.IGNORECASE,
)
# A text document that opens with a tag, a comment, a declaration or a
# processing instruction is markup (HTML, XML, SVG), whatever its name.
_STARTS_AS_MARKUP = re.compile(r"\A\s*<[A-Za-z!?]")


def sniff(f: BinaryIO, filename: str | None = None) -> FileType:
    """The type of a non-empty upload, or :class:`Refused`."""
    return sniff_upload(f, filename)[0]


def sniff_upload(f: BinaryIO, filename: str | None = None) -> tuple[FileType, bool]:
    """The type of a non-empty upload and whether clients may preview it: an image
    of at most ``PREVIEW_MAX_PIXELS`` (a larger one, even a few KB of WebP, would
    cost every viewer's browser hundreds of MB to decode). Else :class:`Refused`."""
    head = _read(f, 0, HEAD_BYTES)
    if not head:
        raise Refused("The file is empty")
    if head.startswith(_EXECUTABLE_MAGIC):
        raise Refused("Executables and scripts are not allowed")

    image = image_type(head)
    if image is not None:
        info = inspect_image(f, frozenset({image.image_format or ""}), MAX_UPLOAD_PIXELS)
        return image, info.width * info.height <= PREVIEW_MAX_PIXELS
    return _not_an_image(f, head, filename), False


def _not_an_image(f: BinaryIO, head: bytes, filename: str | None) -> FileType:
    if head.startswith(b"%PDF-"):
        return _pdf(f)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip(f)
    if head.startswith(b"\x1f\x8b\x08"):
        return GZIP
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return SEVEN_Z
    if _is_tar(head):
        return TAR
    return _text(f, filename)


def image_type(head: bytes) -> FileType | None:
    """The image type announced by a signature (not yet proven to decode)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    return None


def inspect_image(
    f: BinaryIO,
    formats: frozenset[str],
    max_pixels: int,
    max_side: int | None = None,
    decode: bool = False,
) -> ImageInfo:
    """Prove that ``f`` is an image of one of ``formats`` within the size bounds,
    with no HTML/SVG markup in its first KB.

    The declared dimensions are read from the header and refused before Pillow
    allocates anything; then Pillow opens it (header only) and ``verify()``
    walks its structure. ``decode`` also decodes the first frame (only sensible
    for small images: emojis, stickers).
    """
    head = _read(f, 0, IMAGE_MARKUP_WINDOW)
    found = image_type(head)
    if found is None or found.image_format not in formats:
        raise Refused("Unsupported image format")
    # Images are served inline: one that carries a document (a polyglot) is refused.
    if _IMAGE_MARKUP.search(head):
        raise Refused("The image holds HTML or SVG markup")
    fmt = found.image_format
    assert fmt is not None
    declared = _declared_size(head, fmt)
    if declared is not None:
        _check_dimensions(*declared, max_pixels, max_side)
    try:
        f.seek(0)
        with Image.open(f, formats=[fmt]) as im:
            _check_dimensions(*im.size, max_pixels, max_side)
            im.verify()
        f.seek(0)
        with Image.open(f, formats=[fmt]) as im:
            width, height = im.size
            animated = bool(getattr(im, "is_animated", False))
            if decode:
                im.seek(0)
                im.load()
    except Refused:
        raise
    except Exception as exc:  # Pillow raises many types on hostile input
        raise Refused("The image is damaged or not what it claims to be") from exc
    return ImageInfo(fmt, width, height, animated)


def _check_dimensions(width: int, height: int, max_pixels: int, max_side: int | None) -> None:
    if width <= 0 or height <= 0:
        raise Refused("The image has no pixels")
    if width * height > max_pixels or (max_side is not None and max(width, height) > max_side):
        raise Refused("The image dimensions are too large")


def _declared_size(head: bytes, fmt: str) -> tuple[int, int] | None:
    """Width and height from the header bytes, where the format puts them there."""
    if fmt == "PNG" and len(head) >= 24 and head[12:16] == b"IHDR":
        return struct.unpack(">II", head[16:24])
    if fmt == "GIF" and len(head) >= 10:
        return struct.unpack("<HH", head[6:10])
    if fmt == "WEBP" and len(head) >= 30:
        chunk = head[12:16]
        if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
            w, h = struct.unpack("<HH", head[26:30])
            return w & 0x3FFF, h & 0x3FFF
        if chunk == b"VP8X":
            w = int.from_bytes(head[24:27], "little") + 1
            h = int.from_bytes(head[27:30], "little") + 1
            return w, h
        if chunk == b"VP8L" and head[20] == 0x2F:
            bits = int.from_bytes(head[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None  # JPEG: Pillow reads the frame header without allocating pixels


def _pdf(f: BinaryIO) -> FileType:
    # A real PDF ends with ``%%EOF`` (possibly followed by whitespace).
    size = _size(f)
    tail = _read(f, max(0, size - 1024), 1024)
    if b"%%EOF" not in tail:
        raise Refused("The PDF is incomplete")
    return PDF


def _zip(f: BinaryIO) -> FileType:
    try:
        f.seek(0)
        archive = zipfile.ZipFile(f)
        infos = archive.infolist()
    except Exception as exc:
        raise Refused("The ZIP archive is damaged") from exc
    with archive:
        names = {info.filename for info in infos}
        if infos and infos[0].filename == "mimetype":
            declared = _zip_member(archive, infos[0]).strip()
            if declared == b"application/vnd.oasis.opendocument.text":
                return ODT
            if declared == b"application/vnd.oasis.opendocument.spreadsheet":
                return ODS
        if "[Content_Types].xml" in names:
            types = _zip_member(archive, archive.getinfo("[Content_Types].xml"))
            for main_type, part, kind in _OOXML:
                if main_type in types and part in names:
                    return kind
    return ZIP


_OOXML = (
    (
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "word/document.xml",
        DOCX,
    ),
    (
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "xl/workbook.xml",
        XLSX,
    ),
    (
        b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "ppt/presentation.xml",
        PPTX,
    ),
)


def _zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A small marker part (``mimetype``, ``[Content_Types].xml``), or b"" when it
    is large, encrypted or damaged: then the archive is just a ZIP."""
    if info.file_size > ZIP_MARKER_MAX_BYTES:
        return b""
    try:
        with archive.open(info) as member:
            return member.read(ZIP_MARKER_MAX_BYTES)
    except Exception:
        return b""


def _is_tar(head: bytes) -> bool:
    if len(head) < 512 or head[257:262] != b"ustar":
        return False
    try:
        tarfile.TarInfo.frombuf(head[:512], "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def _text(f: BinaryIO, filename: str | None) -> FileType:
    data = _read(f, 0, _size(f))
    if b"\x00" in data:
        raise Refused("Unsupported file type")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("Unsupported file type") from None
    del data
    text = text.removeprefix("\ufeff")
    if text.startswith("#!"):
        raise Refused("Executables and scripts are not allowed")
    window = text[:TEXT_MARKUP_WINDOW]
    if _STARTS_AS_MARKUP.match(window) or _TEXT_MARKUP.search(window):
        raise Refused("HTML, XML and SVG documents are not allowed")
    kind = _TEXT_BY_EXTENSION.get(_extension(filename), TEXT)
    if kind is JSON and not _is_json(text):
        raise Refused("The file is named .json but is not valid JSON")
    return kind


def _is_json(text: str) -> bool:
    if text.count("[") + text.count("{") > JSON_MAX_CONTAINERS:
        return False
    try:
        # Only validity matters: numbers and objects become None so that a
        # hostile file cannot make us build millions of objects.
        json.loads(
            text,
            parse_int=_none,
            parse_float=_none,
            parse_constant=_reject_constant,
            object_pairs_hook=_none,
        )
    except (ValueError, RecursionError):
        return False
    return True


def _none(_: object) -> None:
    return None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _extension(filename: str | None) -> str:
    if not filename or "." not in filename:
        return ""
    return filename.rsplit(".", 1)[1].lower()


def _size(f: BinaryIO) -> int:
    return f.seek(0, 2)


def _read(f: BinaryIO, offset: int, length: int) -> bytes:
    f.seek(offset)
    return f.read(length)
