"""The signed-in user's own shapes (contract section 2): what register and login
answer (``public_self``) and ``GET /api/me`` (``me_view``, also the answer to
``PUT /api/me``)."""

from __future__ import annotations

from typing import Any

from guildhall.kit.time import iso
from guildhall.models import User
from guildhall.runtime import Tx
from guildhall.users.service import user_status


def public_self(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "created_at": iso(user.created_at),
    }


async def me_view(tx: Tx, user_id: int, csrf_token: str) -> dict[str, Any]:
    """The caller's own profile, with their session's CSRF token."""
    user = await tx.session.get(User, user_id)
    assert user is not None  # the session row cascades with the user
    return {
        **public_self(user),
        "display_name": user.display_name,
        "avatar": user.avatar,
        "status": await user_status(tx.rt, user.id),
        "csrf_token": csrf_token,
    }
