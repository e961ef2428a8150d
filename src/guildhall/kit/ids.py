"""Random identifiers for things the contract names with strings, and secrets."""

from __future__ import annotations

import hashlib
import secrets
import string

_ALNUM = string.ascii_letters + string.digits


def new_string_id() -> str:
    """Ids of emojis, stickers and polls (strings in the contract)."""
    return secrets.token_hex(8)


def new_token() -> str:
    """A session token: 256 bits from the OS CSPRNG."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256: a leaked table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_invite_code(length: int = 10) -> str:
    """~59 bits of ``[A-Za-z0-9]``: not guessable within any rate limit."""
    return "".join(secrets.choice(_ALNUM) for _ in range(length))
