"""Parsing of path/query values that the contract types loosely."""

from __future__ import annotations

import re

from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid

# ASCII digits only: ``int()`` also takes " 7", "+7", "7_0" and other scripts' digits,
# and an id would have many spellings (so would "07").
_ID = re.compile(r"[1-9][0-9]{0,18}")
_INTEGER = re.compile(r"-?[0-9]{1,30}")
_STRING_ID = re.compile(r"[A-Za-z0-9]{1,32}")


def int_id(raw: str | int, not_found_code: ErrorCode) -> int:
    """A path id: anything that is not a positive 63-bit integer cannot exist."""
    if isinstance(raw, bool) or not (isinstance(raw, int) or _ID.fullmatch(str(raw))):
        raise AppError(not_found_code, 404)
    value = int(raw)
    if value <= 0 or value >= 2**63:
        raise AppError(not_found_code, 404)
    return value


# Path ids by what they name, each with its resource's 404 (``parse.guild_id(raw)``).
def guild_id(raw: str | int) -> int:
    return int_id(raw, ErrorCode.GUILD_NOT_FOUND)


def channel_id(raw: str | int) -> int:
    return int_id(raw, ErrorCode.CHANNEL_NOT_FOUND)


def user_id(raw: str | int) -> int:
    return int_id(raw, ErrorCode.USER_NOT_FOUND)


def role_id(raw: str | int) -> int:
    return int_id(raw, ErrorCode.ROLE_NOT_FOUND)


def message_id(raw: str | int) -> int:
    return int_id(raw, ErrorCode.MESSAGE_NOT_FOUND)


def string_id(raw: str, not_found_code: ErrorCode) -> str:
    """A path id the contract makes a string (emoji, sticker, poll): ours are short
    ASCII letters and digits, so anything else names nothing. It never reaches SQL
    either (PostgreSQL text cannot even hold a NUL)."""
    if not _STRING_ID.fullmatch(raw):
        raise AppError(not_found_code, 404)
    return raw


def bounded_int(
    raw: str | None, field: str, default: int, lo: int, hi: int | None = None, clamp: bool = False
) -> int:
    """A query integer with a default; out of range is an error unless ``clamp``."""
    if raw is None or raw == "":
        return default
    if not _INTEGER.fullmatch(raw):
        raise invalid(field, f"{field} must be an integer")
    value = int(raw)
    if value < lo:
        if clamp:
            return lo
        raise invalid(field, f"{field} must be at least {lo}")
    if hi is not None and value > hi:
        if clamp:
            return hi
        raise invalid(field, f"{field} must be at most {hi}")
    return value
