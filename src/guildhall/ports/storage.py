"""The file store's interface: what the files domain and the runtime see of it.

The stores themselves (local disk, S3) are in ``files/storage.py`` and
``files/s3.py``; ``Runtime.storage`` holds one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import BinaryIO, Protocol

import anyio


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


class Gone(Exception):
    """The stored bytes went away after ``open()`` found them (a sweep or a delete
    ran in between): raised by ``iter_range`` before it yields anything."""


class StoredFile(Protocol):
    size: int

    def iter_range(self, start: int, end: int) -> AsyncIterator[bytes]:
        """The bytes ``[start, end)`` in chunks; ``Gone`` if they were deleted."""
        ...


class Storage(Protocol):
    async def check(self) -> None:
        """Ready the store at start-up; raises if it cannot be used."""
        ...

    def staging(self) -> AbstractAsyncContextManager[Staged]: ...

    async def save(self, staged: Staged, public_path: str) -> None: ...

    async def open(self, public_path: str) -> StoredFile | None: ...

    async def delete(self, public_paths: Iterable[str]) -> None: ...
