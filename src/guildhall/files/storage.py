"""Where uploaded bytes live, behind a small interface.

A public path (``uploads/<unguessable>/<name>``, ``uploads/emojis/<guild>/<name>``)
names a stored file; the database rows hold these paths and the ``/uploads/``
route serves them. All storage access of the files domain is behind this
interface:

* ``staging()`` — a local temporary file an upload is streamed into, checked
  in, and removed unless it was saved;
* ``save(staged, path)`` — store the staged bytes under a public path;
* ``open(path)`` — the size and a ranged byte stream, or None;
* ``delete(paths)`` — remove stored files (missing ones are fine).

Two stores, chosen by ``GUILDHALL_STORAGE`` in :func:`make_storage`: the local
store (this module) keeps files under ``<data dir>/uploads``; the S3 store
(``files/s3.py``) keeps them in a bucket every node shares. Both stage in
``<data dir>/.staging`` (for the local store the same filesystem, so saving is
an atomic rename).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import anyio

from guildhall.config import Settings
from guildhall.files.stores import CHUNK_BYTES, PUBLIC_ROOT, StagingArea, is_public_path
from guildhall.ports.storage import Gone, Staged, Storage
from guildhall.runtime import Runtime

log = logging.getLogger("guildhall.files")

# Directories under ``uploads/`` shared by many files: never removed when empty.
SHARED_DIRS = frozenset({"emojis", "stickers"})


class LocalFile:
    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size = size

    async def iter_range(self, start: int, end: int) -> AsyncIterator[bytes]:
        try:
            opened = await anyio.open_file(self.path, "rb")
        except FileNotFoundError:
            raise Gone(str(self.path)) from None
        # Once open, the bytes stay readable even if the file is unlinked.
        async with opened as f:
            await f.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = await f.read(min(CHUNK_BYTES, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk


class LocalStorage(StagingArea):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.root = self.data_dir / PUBLIC_ROOT

    async def check(self) -> None:
        await anyio.to_thread.run_sync(lambda: self.root.mkdir(parents=True, exist_ok=True))

    def path_for(self, public_path: str) -> Path | None:
        """The file on disk for a public path; None if the path is malformed or
        would leave the uploads directory."""
        if not is_public_path(public_path):
            return None
        candidate = (self.data_dir / public_path).resolve()
        if not candidate.is_relative_to(self.root) or candidate == self.root:
            return None
        return candidate

    async def save(self, staged: Staged, public_path: str) -> None:
        target = self.path_for(public_path)
        if target is None:
            raise ValueError(f"not a storable path: {public_path!r}")

        def _save() -> None:
            staged.file.flush()
            os.fsync(staged.file.fileno())
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged.path, target)
            staged.saved = True

        await anyio.to_thread.run_sync(_save)

    async def open(self, public_path: str) -> LocalFile | None:
        target = self.path_for(public_path)
        if target is None:
            return None

        def _stat() -> LocalFile | None:
            try:
                st = target.stat()
            except OSError:
                return None
            if not os.path.isfile(target):
                return None
            return LocalFile(target, st.st_size)

        return await anyio.to_thread.run_sync(_stat)

    async def delete(self, public_paths: Iterable[str]) -> None:
        paths = list(public_paths)

        def _delete() -> None:
            for p in paths:
                target = self.path_for(p)
                if target is None:
                    continue
                try:
                    target.unlink(missing_ok=True)
                    parent = target.parent
                    # Each upload has its own directory: remove it with its file.
                    if (
                        parent.parent == self.root
                        and parent.name not in SHARED_DIRS
                        and not any(parent.iterdir())
                    ):
                        parent.rmdir()
                except OSError:
                    log.warning("could not delete %s", p)

        await anyio.to_thread.run_sync(_delete)


def make_storage(settings: Settings) -> Storage:
    """The store the settings name (the one place it is chosen)."""
    store: StagingArea
    if settings.storage == "s3":
        from guildhall.files.s3 import S3Storage

        store = S3Storage(settings)
    else:
        store = LocalStorage(settings.data_dir)
    store.sweep_staging()
    return store


async def start_storage(rt: Runtime) -> None:
    """Create and check the store at start-up, so a misconfigured bucket stops the
    process at once rather than failing the first upload."""
    await rt.storage.check()


async def delete_paths(rt: Runtime, paths: Iterable[str]) -> None:
    """Delete stored files (missing ones are fine); used after a commit."""
    await rt.storage.delete(paths)
