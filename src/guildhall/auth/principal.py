"""Who the caller is, once authenticated: what ``auth.service`` finds and
``auth.deps`` hands to routes (below both, so neither imports the other back)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request or socket."""

    user_id: int
    username: str
    session_id: int
    csrf_token: str
