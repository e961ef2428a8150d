"""Argon2id password hashing, off the event loop (it is deliberately slow)."""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile (64 MiB, 3 passes).
STRONG = PasswordHasher()
# The hasher in use. The test suite swaps in a cheap one (tests/conftest.py): it
# registers thousands of users, and the hash's cost is not what those tests test.
_hasher = STRONG

# Verified against when the user does not exist, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("guildhall-timing-equaliser")


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def _verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(_verify)
