"""Validation rules shared by services (lengths, names, formats)."""

from __future__ import annotations

import re
import unicodedata

from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid

# Matched with fullmatch (``$`` would accept a trailing newline).
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def username_ok(value: str) -> bool:
    """2–32 characters of letters, digits, ``_ . -``."""
    return 2 <= len(value) <= 32 and all(c.isalnum() or c in "_.-" for c in value)


def check_username(value: str) -> str:
    if not username_ok(value):
        raise invalid("username", "Username must be 2-32 letters, digits, '_', '.' or '-'")
    return value


def check_email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise AppError(ErrorCode.INVALID_EMAIL, 400, "Invalid email address", {"field": "email"})
    return value


def check_password(password: str, username: str, field: str = "password") -> str:
    if len(password) < 8 or len(password) > 128 or password.casefold() == username.casefold():
        raise AppError(
            ErrorCode.WEAK_PASSWORD,
            400,
            "Password must be 8-128 characters and differ from the username",
            {"field": field},
        )
    return password


# Bidirectional embeddings, overrides and isolates: invisible, and they make a
# name display as something else ("evil\u202egnp" shows as "evilpng").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_display_name(value: str) -> str:
    """1-32 characters after trimming (NFC), any script; no control characters
    (newlines and tabs included) and no bidi overrides."""
    value = unicodedata.normalize("NFC", value.strip())
    if any(unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS for c in value):
        raise invalid("display_name", "display_name must not contain control characters")
    if not value:
        raise invalid("display_name", "display_name must not be blank")
    if len(value) > 32:
        raise invalid("display_name", "display_name must be at most 32 characters")
    return value


def fold(value: str) -> str:
    """The case-insensitive key of a username or email, for any script."""
    return unicodedata.normalize("NFKC", value).casefold()


def clean_text(value: str, field: str, lo: int, hi: int, strip: bool = True) -> str:
    """Trim, refuse control characters other than newline/tab, check the length."""
    if strip:
        value = value.strip()
    if _CONTROL.search(value):
        raise invalid(field, f"{field} contains control characters")
    if len(value) < lo:
        if lo == 1:
            raise invalid(field, f"{field} must not be empty")
        raise invalid(field, f"{field} must be at least {lo} characters")
    if len(value) > hi:
        raise invalid(field, f"{field} must be at most {hi} characters")
    return value
