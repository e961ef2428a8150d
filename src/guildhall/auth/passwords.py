"""Argon2id password hashing, off the event loop and at most one per core at once.

Each Argon2 hash allocates 64 MiB and keeps a core busy for tens of milliseconds.
Run on the default 40-thread pool, a burst of logins (even for users that do not
exist) took the process to 1.2 GiB and starved every other request. Here at most
``HASHING_SLOTS`` (the cores this process may use) hash at once; the rest wait
their turn in a queue that costs a few bytes each, so a burst costs time, never
unbounded memory (contract section 19).
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile (64 MiB, 3 passes).
STRONG = PasswordHasher()
# The hasher in use. The test suite swaps in a cheap one (tests/conftest.py): it
# registers thousands of users, and the hash's cost is not what those tests test.
_hasher = STRONG

# Verified against when the user does not exist, so both failures take the same time
# (and the same hashing slot: an unknown name is no cheaper to try than a real one).
# A verify costs what the hash's own parameters say, so a fixed hash made with
# STRONG's parameters serves as well as a fresh one, and no process spends an Argon2
# hash (64 MiB, ~0.1 s of a core) at import (docs/decisions/startup.md).
# tests/auth/test_passwords.py checks that its parameters are still STRONG's.
EQUALISER_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$FG2dSpEmlZ+F4PICpf93/w$"
    "UL6G2/fGZHmho9by0R/Knzf8GZXCLeZ8E20jO5VOqnY"
)
_DUMMY_HASH = EQUALISER_HASH


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours taskset / cgroup cpusets
    except (AttributeError, OSError):
        return os.cpu_count() or 1


HASHING_SLOTS = _usable_cores()

# asyncio primitives belong to one event loop; tests (and ``asyncio.run``) make many.
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def hashing_slot() -> AsyncIterator[None]:
    """Hold one of the ``HASHING_SLOTS``; waiters are served in arrival order."""
    loop = asyncio.get_running_loop()
    slot = _slots.get(loop)
    if slot is None:
        slot = _slots[loop] = asyncio.Semaphore(HASHING_SLOTS)
    async with slot:
        yield


async def hash_password(password: str) -> str:
    async with hashing_slot():
        return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(
    password_hash: str | None,
    password: str,
    admit: Callable[[], Awaitable[None]] | None = None,
    failed: Callable[[], Awaitable[None]] | None = None,
) -> bool:
    """True when ``password`` matches; a missing hash costs the same and is False.

    ``admit`` runs once a hashing slot is held, just before hashing: a check that
    may raise (the account's failure limit), so callers that queued behind a burst
    are re-checked in turn. ``failed`` runs on a mismatch while the slot is still
    held, so the next waiter's ``admit`` sees it: at most ``HASHING_SLOTS`` guesses
    per node overshoot a limit that fills while they wait.
    """

    def _verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    async with hashing_slot():
        if admit is not None:
            await admit()
        ok = await anyio.to_thread.run_sync(_verify)
        if not ok and failed is not None:
            await failed()
        return ok
