"""The S3-compatible store (AWS S3, MinIO, Ceph, R2, ...): files every node shares.

A public path ``uploads/...`` is the object key (after ``GUILDHALL_S3_PREFIX``).
Uploads are still streamed to a local staged file first (counted, sniffed,
checked); only a file that passed is sent to the bucket, with boto3's transfer
helper (multipart above 8 MB). Serving reads the object in chunks, one ranged
``GetObject`` per answer, so nothing is ever held whole in memory.

boto3 is synchronous: every call runs in a worker thread. A boto3 client is
thread-safe; one per process is shared by every request.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, TypeVar

import anyio
import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from guildhall.codes import ErrorCode
from guildhall.config import Settings
from guildhall.errors import AppError
from guildhall.files.stores import CHUNK_BYTES, StagingArea, is_public_path
from guildhall.ports.storage import Gone, Staged

log = logging.getLogger("guildhall.files")

T = TypeVar("T")

MB = 1024 * 1024
# Each streamed download holds one connection while the client reads it.
MAX_CONNECTIONS = 50
# S3's DeleteObjects takes at most 1000 keys a call.
DELETE_BATCH = 1000
_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
_TRANSFER = TransferConfig(
    multipart_threshold=8 * MB, multipart_chunksize=8 * MB, max_concurrency=4
)


def unavailable() -> AppError:
    return AppError(ErrorCode.INTERNAL_ERROR, 503, "File storage is unavailable; try again")


def _is_missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _MISSING


def key_prefix(prefix: str) -> str:
    """``"a/b/"`` for ``"/a/b"``, ``"a/b/"`` or ``"a/b"``; ``""`` for none."""
    prefix = prefix.strip("/")
    return f"{prefix}/" if prefix else ""


def make_client(settings: Settings) -> Any:
    options: dict[str, Any] = {
        "max_pool_connections": MAX_CONNECTIONS,
        "connect_timeout": 5,
        "read_timeout": 30,
        "retries": {"mode": "standard", "max_attempts": 3},
        # Newer boto3 sends CRC checksums many S3-compatible servers reject.
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
    }
    if settings.s3_endpoint_url:
        # Self-hosted stores are addressed by path; virtual hosts need wildcard DNS.
        options["s3"] = {"addressing_style": "path"}
    secret = settings.s3_secret_access_key
    return boto3.session.Session().client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=secret.get_secret_value() if secret else None,
        config=Config(**options),
    )


class S3File:
    def __init__(self, store: S3Storage, key: str, size: int) -> None:
        self.store = store
        self.key = key
        self.size = size

    async def iter_range(self, start: int, end: int) -> AsyncIterator[bytes]:
        if end <= start:
            return
        # One ranged GET for the whole answer, read a chunk at a time.
        try:
            response = await self.store.call(
                self.store.client.get_object,
                Bucket=self.store.bucket,
                Key=self.key,
                Range=f"bytes={start}-{end - 1}",
            )
        except ClientError as exc:
            if _is_missing(exc):
                raise Gone(self.key) from None
            log.error("could not read %s from S3: %s", self.key, exc)
            raise unavailable() from None
        except BotoCoreError as exc:
            log.error("could not read %s from S3: %s", self.key, exc)
            raise unavailable() from None
        body = response["Body"]
        try:
            remaining = end - start
            while remaining > 0:
                chunk = await anyio.to_thread.run_sync(body.read, min(CHUNK_BYTES, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk
        finally:
            body.close()


class S3Storage(StagingArea):
    def __init__(self, settings: Settings, client: Any = None) -> None:
        super().__init__(settings.data_dir)
        assert settings.s3_bucket
        self.bucket = settings.s3_bucket
        self.prefix = key_prefix(settings.s3_prefix)
        self.endpoint = settings.s3_endpoint_url or "AWS S3"
        self.client = client or make_client(settings)

    def key_for(self, public_path: str) -> str | None:
        return self.prefix + public_path if is_public_path(public_path) else None

    async def call(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        return await anyio.to_thread.run_sync(functools.partial(fn, **kwargs))

    async def check(self) -> None:
        try:
            await self.call(self.client.head_bucket, Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise RuntimeError(
                f"S3 bucket {self.bucket!r} at {self.endpoint} cannot be used: {exc}"
            ) from None

    async def save(self, staged: Staged, public_path: str) -> None:
        key = self.key_for(public_path)
        if key is None:
            raise ValueError(f"not a storable path: {public_path!r}")

        def _upload() -> None:
            staged.file.flush()
            # The staged file stays where it is; staging() removes it afterwards.
            self.client.upload_file(str(staged.path), self.bucket, key, Config=_TRANSFER)

        try:
            await anyio.to_thread.run_sync(_upload)
        # The transfer helper wraps S3's errors in its own (S3UploadFailedError).
        except (ClientError, BotoCoreError, Boto3Error, OSError) as exc:
            log.error("could not store %s in S3: %s", public_path, exc)
            raise unavailable() from None

    async def open(self, public_path: str) -> S3File | None:
        key = self.key_for(public_path)
        if key is None:
            return None
        try:
            head = await self.call(self.client.head_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                return None
            log.error("could not read %s from S3: %s", public_path, exc)
            raise unavailable() from None
        except BotoCoreError as exc:
            log.error("could not read %s from S3: %s", public_path, exc)
            raise unavailable() from None
        return S3File(self, key, int(head["ContentLength"]))

    async def delete(self, public_paths: Iterable[str]) -> None:
        keys = [k for k in map(self.key_for, public_paths) if k is not None]
        for i in range(0, len(keys), DELETE_BATCH):
            batch = keys[i : i + DELETE_BATCH]
            try:
                result = await self.call(
                    self.client.delete_objects,
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
            except (ClientError, BotoCoreError) as exc:
                # Like a local unlink failure: the row is gone, the object is orphaned.
                log.warning("could not delete %d objects from S3: %s", len(batch), exc)
                continue
            for error in result.get("Errors", []):
                log.warning("could not delete %s from S3: %s", error.get("Key"), error)
