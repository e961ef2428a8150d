"""What both file stores share: public paths and the local staging area.

``files/storage.py`` (the local store, and the choice of store) and ``files/s3.py``
(the S3 store) both build on this; neither imports the other at module level.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio

from guildhall.ports.storage import Staged

PUBLIC_ROOT = "uploads"
CHUNK_BYTES = 64 * 1024
# Staged files this old belong to no live request (a crash left them).
STALE_STAGING_SECONDS = 24 * 3600


def is_public_path(public_path: str) -> bool:
    """Shape check of a public path: under ``uploads/``, no empty, ``.`` or ``..``
    segment, no backslash or NUL."""
    parts = public_path.split("/")
    return (
        len(parts) >= 2
        and parts[0] == PUBLIC_ROOT
        and all(p and p not in (".", "..") for p in parts[1:])
        and "\\" not in public_path
        and "\x00" not in public_path
    )


class StagingArea:
    """Uploads are streamed to local temporary files in ``<data dir>/.staging``
    whatever the store: counting, sniffing and image checks need seekable bytes,
    and memory stays bounded."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.staging_dir = self.data_dir / ".staging"

    def sweep_staging(self, older_than: float = STALE_STAGING_SECONDS) -> int:
        """Remove staged files left behind by a crashed process; returns how many."""
        removed = 0
        cutoff = time.time() - older_than
        try:
            entries = list(self.staging_dir.iterdir())
        except FileNotFoundError:
            return 0
        for entry in entries:
            try:
                if entry.stat().st_mtime < cutoff:
                    entry.unlink()
                    removed += 1
            except OSError:
                continue
        return removed

    @asynccontextmanager
    async def staging(self) -> AsyncIterator[Staged]:
        def _create() -> Staged:
            self.staging_dir.mkdir(parents=True, exist_ok=True)
            return Staged(self.staging_dir / f"{secrets.token_hex(16)}.part")

        staged = await anyio.to_thread.run_sync(_create)
        try:
            yield staged
        finally:
            staged.discard()
