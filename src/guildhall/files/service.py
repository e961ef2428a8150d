"""Uploads: check a staged file, store it, record it; find a stored file to serve.

These services open their own short units of work instead of taking the
request's: the slow parts (sniffing, image checks, moving bytes) run outside
any transaction, and only the row insert holds one.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import anyio
from sqlalchemy import ColumnElement, delete, exists, select
from sqlalchemy.orm import aliased

from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid, missing
from guildhall.files import sniff, square
from guildhall.files.multipart import FormFile
from guildhall.files.names import safe_filename
from guildhall.files.serialize import upload_view
from guildhall.files.storage import delete_paths
from guildhall.files.stores import is_public_path
from guildhall.kit.parse import int_id
from guildhall.kit.time import utcnow
from guildhall.models import Attachment, Emoji, Guild, Message, Sticker, Upload, User
from guildhall.ports.storage import Gone, Staged, StoredFile
from guildhall.runtime import Runtime, Tx

log = logging.getLogger("guildhall.files")

T = TypeVar("T")

# Guild images live beside uploads, under their own prefixes, so one route
# serves everything: ``uploads/emojis/<guild id>/<random>.<ext>``.
GUILD_IMAGE_DIRS: dict[str, type[Emoji | Sticker]] = {"emojis": Emoji, "stickers": Sticker}
# Square profile images (``files/square.py``): ``uploads/avatars/<user id>/...``
# and ``uploads/icons/<guild id>/...``, served while the row still names them.
# The column holds the URL path (with its leading ``/``), as clients get it.
PROFILE_IMAGE_DIRS: dict[str, tuple[Any, Any]] = {
    "avatars": (User.id, User.avatar),
    "icons": (Guild.id, Guild.icon),
}
_IMAGE_MIMETYPES = {t.extension: t.mimetype for t in sniff.IMAGE_TYPES.values()}
_IMAGE_TYPES_BY_MIMETYPE = frozenset(t.mimetype for t in sniff.IMAGE_TYPES.values())
# Content checks are CPU- and memory-heavy (Pillow, JSON): few at a time.
CHECK_CONCURRENCY = 2
_DELETE_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Served:
    """What the ``/uploads/`` route needs to answer for one public path."""

    mimetype: str
    filename: str
    inline: bool


def not_found() -> AppError:
    return AppError(ErrorCode.NOT_FOUND, 404, "File not found")


def invalid_type(reason: str) -> AppError:
    return AppError(ErrorCode.INVALID_FILE_TYPE, 400, reason, {"field": "file"})


async def run_check(
    rt: Runtime,
    fn: Callable[..., T],
    *args: Any,
    refused: Callable[[str], AppError] = invalid_type,
) -> T:
    """Run a blocking content check in a worker thread, a bounded number at once;
    a refusal becomes ``refused(reason)`` (400 ``INVALID_FILE_TYPE`` by default)."""
    try:
        return await anyio.to_thread.run_sync(fn, *args, limiter=rt.file_checks.limiter)
    except sniff.Refused as exc:
        raise refused(str(exc)) from None


def require_file(file: FormFile | None) -> FormFile:
    """The form's file part; an empty file is refused (it has no type to prove)."""
    if file is None:
        raise missing("file")
    if file.size == 0:
        raise invalid("file", "The file is empty")
    return file


async def forget(rt: Runtime, path: str) -> None:
    """Remove a stored file whose row was not committed (even while cancelled)."""
    with anyio.CancelScope(shield=True):
        await rt.storage.delete([path])


async def create_upload(
    rt: Runtime, owner_id: int, staged: Staged, file: FormFile | None
) -> dict[str, Any]:
    """Accept a staged upload: sniff it, store it under an unguessable path and
    record it as the owner's, so that a message can attach it by ``path``."""
    file = require_file(file)
    kind, preview = await run_check(rt, sniff.sniff_upload, staged.file, file.client_name)
    filename = safe_filename(file.client_name, kind)
    path = f"uploads/{secrets.token_hex(16)}/{filename}"
    await rt.storage.save(staged, path)
    try:
        async with rt.transaction() as tx:
            upload = Upload(
                path=path,
                filename=filename,
                size=file.size,
                mimetype=kind.mimetype,
                owner_id=owner_id,
                preview=preview,
            )
            tx.session.add(upload)
    except BaseException:
        await forget(rt, path)
        raise
    return upload_view(upload)


async def describe(tx: Tx, public_path: str) -> Served | None:
    """How to serve a public path, from the table that owns it; None if no row
    names it (the URL is never trusted to find a file on disk)."""
    if not is_public_path(public_path):
        return None
    parts = public_path.split("/")
    if parts[1] in PROFILE_IMAGE_DIRS and len(parts) == 4:
        return await _describe_profile_image(tx, parts, public_path)
    model = GUILD_IMAGE_DIRS.get(parts[1])
    if model is not None and len(parts) == 4:
        try:
            guild_id = int_id(parts[2], ErrorCode.NOT_FOUND)
        except AppError:
            return None
        found = await tx.session.scalar(
            select(model.id).where(model.guild_id == guild_id, model.file_path == public_path)
        )
        if found is None:
            return None
        ext = parts[3].rsplit(".", 1)[-1]
        mimetype = _IMAGE_MIMETYPES.get(ext, "application/octet-stream")
        return Served(mimetype, parts[3], inline=True)
    row = (
        await tx.session.execute(
            select(Upload.mimetype, Upload.filename, Upload.preview).where(
                Upload.path == public_path
            )
        )
    ).first()
    if row is None:
        return None
    mimetype, filename, preview = row
    # An image over the preview limit is a download (Content-Disposition: attachment).
    return Served(mimetype, filename, inline=preview and mimetype.startswith("image/"))


async def _describe_profile_image(tx: Tx, parts: list[str], public_path: str) -> Served | None:
    id_column, path_column = PROFILE_IMAGE_DIRS[parts[1]]
    try:
        owner_id = int_id(parts[2], ErrorCode.NOT_FOUND)
    except AppError:
        return None
    found = await tx.session.scalar(
        select(id_column).where(id_column == owner_id, path_column == "/" + public_path)
    )
    if found is None:
        return None
    return Served(square.MIMETYPE, parts[3], inline=True)


async def square_copy(
    rt: Runtime, owner_id: int, raw_path: Any, field: str, dirname: str, entity_id: int
) -> str:
    """Store the square copy (``files/square.py``) of an upload of ``owner_id``
    under ``uploads/<dirname>/<entity_id>/`` and return its URL path.

    ``raw_path`` is the upload's ``path`` as ``/api/upload`` gave it (a leading
    ``/`` is accepted). Someone else's upload, or no upload, is 400
    ``INVALID_INPUT``; an upload that is not a PNG/JPEG/GIF/WebP image is 400
    ``INVALID_FILE_TYPE``; an image too large to decode (or damaged) is 400
    ``INVALID_INPUT``. Runs outside any transaction but a short read; the
    caller records the URL path and calls :func:`forget` (with the path
    without its ``/``) if that fails."""
    path = raw_path.removeprefix("/") if isinstance(raw_path, str) else ""
    upload = None
    if is_public_path(path):
        async with rt.transaction(write=False) as tx:
            upload = (
                await tx.session.execute(
                    select(Upload.path, Upload.mimetype).where(
                        Upload.path == path, Upload.owner_id == owner_id
                    )
                )
            ).first()
    not_yours = invalid(field, f"{field} must be the path of an upload of yours")
    if upload is None:
        raise not_yours
    if upload.mimetype not in _IMAGE_TYPES_BY_MIMETYPE:
        raise AppError(
            ErrorCode.INVALID_FILE_TYPE,
            400,
            f"{field} must be a PNG, JPEG, GIF or WebP image",
            {"field": field},
        )
    store = rt.storage
    stored = await store.open(path)
    if stored is None:  # recorded, but its bytes are gone (deleted meanwhile)
        raise not_yours
    target = f"uploads/{dirname}/{entity_id}/{secrets.token_hex(16)}.{square.EXTENSION}"
    async with store.staging() as source, store.staging() as output:
        try:
            async for chunk in stored.iter_range(0, stored.size):
                await source.write(chunk)
        except Gone:  # deleted since open()
            raise not_yours from None
        await run_check(
            rt,
            square.make_square,
            source.file,
            output.file,
            refused=lambda reason: invalid(field, reason),
        )
        await store.save(output, target)
    return "/" + target


async def open_stored(rt: Runtime, public_path: str) -> tuple[Served, StoredFile]:
    """The stored file named by a public path, or 404."""
    async with rt.transaction(write=False) as tx:
        served = await describe(tx, public_path)
    if served is None:
        raise not_found()
    stored = await rt.storage.open(public_path)
    if stored is None:
        log.warning("%s is recorded but missing from storage", public_path)
        raise not_found()
    return served, stored


# --- the lifetime of an upload (contract section 19) -------------------------------


async def release_uploads(tx: Tx, doomed: Callable[[Any], ColumnElement[bool]]) -> list[str]:
    """Before the messages matching ``doomed(Message)`` are deleted: delete the
    uploads that only they hold and return their paths (the caller deletes those
    from storage after commit, or calls :func:`delete_after_commit`).

    The uploads are locked first (PostgreSQL): a send attaching one of them
    meanwhile either commits before this looks for other holders (which then
    sees it) or waits and finds the upload gone.
    """
    other_attachment, other_message = aliased(Attachment), aliased(Message)
    held = (
        select(Upload.id)
        .join(Attachment, Attachment.upload_id == Upload.id)
        .join(Message, Message.id == Attachment.message_id)
        .where(doomed(Message))
    )
    candidates = list((await tx.session.execute(held.with_for_update(of=Upload))).scalars())
    if not candidates:
        return []
    used_elsewhere = (
        exists()
        .where(other_attachment.upload_id == Upload.id)
        .where(other_message.id == other_attachment.message_id)
        .where(~doomed(other_message))
    )
    rows = (
        await tx.session.execute(
            select(Upload.id, Upload.path).where(Upload.id.in_(candidates), ~used_elsewhere)
        )
    ).all()
    upload_ids = [r.id for r in rows]
    for i in range(0, len(upload_ids), _DELETE_CHUNK):
        chunk = upload_ids[i : i + _DELETE_CHUNK]
        await tx.session.execute(delete(Upload).where(Upload.id.in_(chunk)))
    return [r.path for r in rows]


def delete_after_commit(tx: Tx, paths: list[str]) -> None:
    """Delete stored files once the transaction that dropped their rows commits."""
    if paths:
        rt = tx.rt
        tx.on_commit(lambda: delete_paths(rt, paths))


async def delete_unattached(rt: Runtime, older_than: timedelta, batch: int = 500) -> int:
    """Delete uploads never attached to anything, older than ``older_than``.

    Safe on many nodes at once: each batch's rows are deleted by one transaction
    (``DELETE ... RETURNING`` hands each row to exactly one node, the others see
    it gone), and deleting a file twice is harmless anyway. Files go after the
    commit, so a failed transaction never leaves a row without its file.
    Returns how many were deleted.
    """
    cutoff = utcnow() - older_than
    attached = exists().where(Attachment.upload_id == Upload.id)
    total = 0
    while True:
        async with rt.transaction() as tx:
            ids = (
                select(Upload.id)
                .where(Upload.created_at < cutoff, ~attached)
                .order_by(Upload.id)
                .limit(batch)
            )
            ids = tx.dialect.skip_locked(ids)  # nodes take different rows, not waiting
            paths = list(
                (
                    await tx.session.execute(
                        delete(Upload)
                        .where(Upload.id.in_(ids.scalar_subquery()), ~attached)
                        .returning(Upload.path)
                        .execution_options(synchronize_session=False)
                    )
                ).scalars()
            )
            delete_after_commit(tx, paths)
        total += len(paths)
        if len(paths) < batch:
            return total


async def sweep_forever(rt: Runtime) -> None:
    """The periodic clean-up of unattached uploads (started by ``app.start``)."""
    settings = rt.settings
    while True:
        # Jitter: nodes started together do not sweep in lockstep.
        await anyio.sleep(settings.upload_sweep_seconds * (0.9 + random.random() * 0.2))
        try:
            deleted = await delete_unattached(rt, timedelta(hours=settings.unattached_upload_hours))
        except Exception as exc:  # the next sweep tries again
            log.warning("unattached upload sweep failed: %s: %.200s", type(exc).__name__, exc)
        else:
            if deleted:
                log.info("deleted %d unattached uploads", deleted)
