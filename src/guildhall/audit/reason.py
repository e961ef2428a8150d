"""The request's ``X-Audit-Log-Reason``, handed to services without a parameter.

The HTTP edge (``middleware.EdgeMiddleware``) decodes and checks the header once
per unsafe ``/api/`` request and sets :data:`_reason` for the request's task; every
``Tx`` opened in that request starts with it (``Tx.audit_reason``), so
``audit.service.record`` finds it whichever service, router or unit of work
records the entry (emoji uploads open their own transaction). Sockets never set
it: a change made over a socket has no reason.

Kept free of imports from the rest of the package: ``db.py`` imports it.
"""

from __future__ import annotations

import contextvars
from urllib.parse import unquote

from guildhall.codes import ErrorCode
from guildhall.errors import AppError

HEADER = "X-Audit-Log-Reason"
MAX_REASON = 512

_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_reason", default=None)


def current_reason() -> str | None:
    """The reason of the request being served, if any."""
    return _reason.get()


def set_reason(value: str | None) -> contextvars.Token[str | None]:
    return _reason.set(value)


def reset_reason(token: contextvars.Token[str | None]) -> None:
    _reason.reset(token)


def _bad(message: str) -> AppError:
    return AppError(ErrorCode.INVALID_INPUT, 400, message, {"field": HEADER})


def parse_reason(raw: bytes | None) -> str | None:
    """The header's text: percent-decoded UTF-8, trimmed, at most 512 characters
    (else 400 INVALID_INPUT). Empty means none."""
    if raw is None:
        return None
    try:
        # Percent-encoded as Discord's clients send it; raw UTF-8 is taken too.
        text = unquote(raw.decode("utf-8"), encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise _bad(f"{HEADER} must be URL-encoded UTF-8") from None
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_REASON:
        raise _bad(f"{HEADER} must be at most {MAX_REASON} characters")
    # PostgreSQL text cannot hold a NUL; other control characters are noise in a log.
    if any(ord(ch) < 32 and ch not in "\t" for ch in text):
        raise _bad(f"{HEADER} must not contain control characters")
    return text
