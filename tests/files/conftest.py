from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from guildhall.models import Upload
from tests.files.s3server import moto_server, s3_bucket  # noqa: F401  (fixtures)


def stored_files(rt: Any) -> list[Path]:
    """Every file under the uploads directory and the staging area."""
    data = rt.settings.data_dir.resolve()
    found: list[Path] = []
    for folder in (data / "uploads", data / ".staging"):
        if folder.exists():
            found += [p for p in folder.rglob("*") if p.is_file()]
    return found


async def put(store: Any, path: str, data: bytes) -> None:
    """``data`` saved at ``path`` through the store's staging, as an upload is."""
    async with store.staging() as staged:
        await staged.write(data)
        await store.save(staged, path)


async def read(store: Any, path: str, start: int = 0, end: int | None = None) -> bytes:
    """Bytes ``start`` to ``end`` (default: all) of the stored file at ``path``."""
    stored = await store.open(path)
    assert stored is not None, path
    end = stored.size if end is None else end
    return b"".join([chunk async for chunk in stored.iter_range(start, end)])


async def upload_rows(rt: Any) -> int:
    async with rt.transaction(write=False) as tx:
        return await tx.session.scalar(select(func.count()).select_from(Upload)) or 0


def multipart(parts: list[tuple[str, str]], boundary: str = "XyZzy0123") -> tuple[bytes, dict]:
    """A hand-built multipart body: ``parts`` are (raw part headers, body) pairs."""
    chunks = []
    for headers, body in parts:
        chunks.append(f"--{boundary}\r\n{headers}\r\n\r\n".encode() + body.encode("latin-1"))
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
