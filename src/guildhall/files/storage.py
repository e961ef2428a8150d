"""Where uploaded bytes live. Local directory by default (``<data dir>/uploads``).

Paths are the public ones (``uploads/<unguessable>/<name>``, ``emojis/...``):
relative to the data dir, never containing ``..``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import anyio

from guildhall.runtime import Runtime

log = logging.getLogger("guildhall.files")


def local_path(rt: Runtime, public_path: str) -> Path | None:
    """The file on disk for a public path, or None if it would escape the data dir."""
    root = rt.settings.data_dir.resolve()
    candidate = (root / public_path).resolve()
    return candidate if candidate.is_relative_to(root) and candidate != root else None


async def delete_paths(rt: Runtime, paths: list[str]) -> None:
    """Delete stored files (missing ones are fine); used after a commit."""

    def _delete() -> None:
        for p in paths:
            target = local_path(rt, p)
            if target is None:
                continue
            try:
                target.unlink(missing_ok=True)
                parent = target.parent
                if parent != rt.settings.data_dir.resolve() and not any(parent.iterdir()):
                    parent.rmdir()
            except OSError:
                log.warning("could not delete %s", p)

    await anyio.to_thread.run_sync(_delete)
