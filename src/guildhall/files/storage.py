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
import secrets
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

import anyio

from guildhall.config import Settings
from guildhall.runtime import Runtime

if TYPE_CHECKING:
    from guildhall.files.s3 import S3Storage

log = logging.getLogger("guildhall.files")

PUBLIC_ROOT = "uploads"
CHUNK_BYTES = 64 * 1024
# Staged files this old belong to no live request (a crash left them).
STALE_STAGING_SECONDS = 24 * 3600
# Directories under ``uploads/`` shared by many files: never removed when empty.
SHARED_DIRS = frozenset({"emojis", "stickers"})


class Staged:
    """A local temporary file receiving one upload."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: BinaryIO = open(path, "xb+")  # closed by discard()
        self.size = 0
        self.saved = False

    async def write(self, data: bytes) -> None:
        await anyio.to_thread.run_sync(self.file.write, data)
        self.size += len(data)

    def discard(self) -> None:
        self.file.close()
        if not self.saved:
            self.path.unlink(missing_ok=True)


class StoredFile(Protocol):
    size: int

    def iter_range(self, start: int, end: int) -> AsyncIterator[bytes]:
        """The bytes ``[start, end)`` in chunks."""
        ...


class Storage(Protocol):
    async def check(self) -> None:
        """Ready the store at start-up; raises if it cannot be used."""
        ...

    def staging(self) -> AbstractAsyncContextManager[Staged]: ...

    async def save(self, staged: Staged, public_path: str) -> None: ...

    async def open(self, public_path: str) -> StoredFile | None: ...

    async def delete(self, public_paths: Iterable[str]) -> None: ...


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


class LocalFile:
    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size = size

    async def iter_range(self, start: int, end: int) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self.path, "rb") as f:
            await f.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = await f.read(min(CHUNK_BYTES, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk


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
    store: LocalStorage | S3Storage
    if settings.storage == "s3":
        from guildhall.files.s3 import S3Storage

        store = S3Storage(settings)
    else:
        store = LocalStorage(settings.data_dir)
    store.sweep_staging()
    return store


def storage_for(rt: Runtime) -> Storage:
    """The runtime's store (created once per runtime)."""
    store = rt.extras.get("storage")
    if store is None:
        store = rt.extras["storage"] = make_storage(rt.settings)
    return store


async def start_storage(rt: Runtime) -> None:
    """Create and check the store at start-up, so a misconfigured bucket stops the
    process at once rather than failing the first upload."""
    await storage_for(rt).check()


def local_path(rt: Runtime, public_path: str) -> Path | None:
    """The file on disk for a public path, or None if it would escape the uploads
    dir (or the store is not on this disk)."""
    store = storage_for(rt)
    return store.path_for(public_path) if isinstance(store, LocalStorage) else None


async def delete_paths(rt: Runtime, paths: Iterable[str]) -> None:
    """Delete stored files (missing ones are fine); used after a commit."""
    await storage_for(rt).delete(paths)
