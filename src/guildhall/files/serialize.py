"""The one file shape (contract section 6): upload answers and message files."""

from __future__ import annotations

from typing import Any

from guildhall.models import Upload


def upload_view(upload: Upload) -> dict[str, Any]:
    return file_entry(upload.filename, upload.path, upload.size, upload.mimetype, upload.preview)


def file_entry(filename: str, path: str, size: int, mimetype: str, preview: bool) -> dict[str, Any]:
    """A file as clients see it (upload answers, messages); ``preview`` (added):
    the client may show it inline, else it shows a file card."""
    return {
        "filename": filename,
        "path": path,
        "size": size,
        "mimetype": mimetype,
        "preview": preview,
    }
