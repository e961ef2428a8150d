from __future__ import annotations

from datetime import datetime
from typing import Literal

from guildhall.kit.body import StrictBody
from guildhall.kit.openapi import Read, StatusMessage


class RegisterIn(StrictBody):
    username: str
    password: str
    email: str


class LoginIn(StrictBody):
    username: str
    password: str


class PasswordChangeIn(StrictBody):
    old_password: str
    new_password: str


# Answers (documentation only: see ``kit/openapi.py``).


class SelfRead(Read):
    """The signed-in user as they see themselves (their own email included)."""

    id: int
    username: str
    email: str
    created_at: datetime


class SignedIn(SelfRead):
    """Register and login: the session also comes as cookies; ``token`` is for
    ``Authorization: Bearer`` and sockets."""

    csrf_token: str
    token: str


class MeRead(SelfRead):
    display_name: str | None
    avatar: str | None
    status: Literal["online", "offline"]
    csrf_token: str


class PasswordChanged(StatusMessage):
    """Every other session ended; this one continues with a fresh token."""

    csrf_token: str
    token: str


class PasswordResetIn(StrictBody):
    email: str


class PasswordResetConfirmIn(StrictBody):
    token: str
    new_password: str
