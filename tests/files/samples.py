"""Tiny real files of every type the server accepts, and hostile ones, built in memory."""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zipfile
import zlib

from PIL import Image


def image(fmt: str, size: tuple[int, int] = (4, 3), frames: int = 1, color=(200, 30, 30)) -> bytes:
    """An image in Pillow format ``fmt`` (PNG, JPEG, GIF, WEBP); ``frames`` > 1 animates it."""
    mode = "RGB" if fmt == "JPEG" else "RGBA"
    shots = [
        Image.new(mode, size, (*color[:2], (color[2] + 40 * i) % 256, 255)[: len(mode)])
        for i in range(frames)
    ]
    buf = io.BytesIO()
    if frames > 1:
        shots[0].save(buf, fmt, save_all=True, append_images=shots[1:], duration=100, loop=0)
    else:
        shots[0].save(buf, fmt)
    return buf.getvalue()


def png(size: tuple[int, int] = (4, 3)) -> bytes:
    return image("PNG", size)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A well-formed PNG header that declares a huge canvas over almost no data
    (a decompression bomb if anything tried to allocate it)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def gif_declaring(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b";"


PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)

_OOXML = {
    "docx": ("wordprocessingml.document", "word/document.xml"),
    "xlsx": ("spreadsheetml.sheet", "xl/workbook.xml"),
    "pptx": ("presentationml.presentation", "ppt/presentation.xml"),
}


def ooxml(kind: str) -> bytes:
    main, part = _OOXML[kind]
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" '
        f'ContentType="application/vnd.openxmlformats-officedocument.{main}.main+xml"/>'
        "</Types>"
    )
    return zip_of({"[Content_Types].xml": types, "_rels/.rels": "<Relationships/>", part: "<x/>"})


def odf(kind: str) -> bytes:
    mimetype = {
        "odt": "application/vnd.oasis.opendocument.text",
        "ods": "application/vnd.oasis.opendocument.spreadsheet",
    }[kind]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", "<manifest/>", zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def zip_of(members: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def tar_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# mtime fixed: test ids carry the bytes, and every xdist worker must collect the same ids.
GZIP = gzip.compress(b"hello, gzip\n" * 10, mtime=0)
SEVEN_Z = b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(range(256)) * 2
ZIP = zip_of({"hello.txt": "hello"})
TAR = tar_of({"hello.txt": b"hello\n"})
TEXT = "Hello, world.\nПривет, мир. 你好\n".encode()
MARKDOWN = b"# Title\n\nSome *text* with a <br> and `code`.\n"
CSV = b"name,count\nalice,1\nbob,2\n"
JSON = b'{"a": [1, 2.5, true, null, "x"], "b": {"c": "d"}}'

# Every accepted type: (filename sent, bytes, mimetype expected).
ACCEPTED = [
    ("image.png", png(), "image/png"),
    ("photo.jpg", image("JPEG"), "image/jpeg"),
    ("anim.gif", image("GIF", frames=2), "image/gif"),
    ("pic.webp", image("WEBP"), "image/webp"),
    ("doc.pdf", PDF, "application/pdf"),
    (
        "report.docx",
        ooxml("docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "sheet.xlsx",
        ooxml("xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "slides.pptx",
        ooxml("pptx"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("text.odt", odf("odt"), "application/vnd.oasis.opendocument.text"),
    ("calc.ods", odf("ods"), "application/vnd.oasis.opendocument.spreadsheet"),
    ("archive.zip", ZIP, "application/zip"),
    ("data.gz", GZIP, "application/gzip"),
    ("bundle.tar", TAR, "application/x-tar"),
    ("packed.7z", SEVEN_Z, "application/x-7z-compressed"),
    ("notes.txt", TEXT, "text/plain"),
    ("README.md", MARKDOWN, "text/markdown"),
    ("table.csv", CSV, "text/csv"),
    ("data.json", JSON, "application/json"),
]

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
MACHO = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 24
SHELL = b"#!/bin/sh\nrm -rf ~\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(1)</script></svg>"
)
GIF_HTML_POLYGLOT = image("GIF") + b"<html><script>alert(1)</script></html>"
GIF_HEADER_HTML = b"GIF89a\x01\x00\x01\x00\x00\x00\x00<script>alert(1)</script>"
