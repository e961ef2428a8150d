from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from guildhall.kit.openapi import Read, StatusMessage

_SURROGATE = re.compile("[\ud800-\udfff]")


class StrictBody(BaseModel):
    """Request bodies: JSON types are checked strictly, unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")

    # Python's JSON decoder lets a lone surrogate through (escaped "\ud800", or its
    # UTF-8 bytes); no database can store one, so it is refused here, by field.
    @field_validator("*", mode="after")
    @classmethod
    def _no_lone_surrogates(cls, value: Any) -> Any:
        if _has_surrogate(value):
            raise ValueError("text must be valid Unicode (no lone surrogates)")
        return value


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, list | tuple):
        return any(_has_surrogate(v) for v in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, BaseModel):
        return any(_has_surrogate(v) for v in value.__dict__.values())
    return False


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
