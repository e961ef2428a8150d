"""Upload answers (documentation only: see ``kit/openapi.py``)."""

from __future__ import annotations

from guildhall.kit.openapi import Read


class UploadRead(Read):
    """A stored upload; a message attaches it by ``path``."""

    filename: str  # the sanitized original name
    path: str  # uploads/<unguessable>/<filename>, served at /<path>
    size: int
    mimetype: str  # sniffed from the bytes, not taken from the client
    # Added: an image a client may preview inline (at most 40 megapixels); false
    # for anything else, which clients show as a file to download.
    preview: bool
