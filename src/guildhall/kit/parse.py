"""Parsing of path/query values that the contract types loosely."""

from __future__ import annotations

from guildhall.errors import AppError, invalid


def int_id(raw: str | int, not_found_code: str) -> int:
    """A path id: anything that is not a positive 63-bit integer cannot exist."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise AppError(not_found_code, 404) from None
    if value <= 0 or value >= 2**63:
        raise AppError(not_found_code, 404)
    return value


def bounded_int(
    raw: str | None, field: str, default: int, lo: int, hi: int | None = None, clamp: bool = False
) -> int:
    """A query integer with a default; out of range is an error unless ``clamp``."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(field, f"{field} must be an integer") from None
    if value < lo:
        if clamp:
            return lo
        raise invalid(field, f"{field} must be at least {lo}")
    if hi is not None and value > hi:
        if clamp:
            return hi
        raise invalid(field, f"{field} must be at most {hi}")
    return value
