from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictBody(BaseModel):
    """Request bodies: JSON types are checked strictly, unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


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
