"""A role as every answer and event shows it."""

from __future__ import annotations

from typing import Any

from guildhall.kit.time import iso
from guildhall.models import Role


def role_view(role: Role) -> dict[str, Any]:
    return {
        "id": role.id,
        "guild_id": role.guild_id,
        "name": role.name,
        "permissions": str(role.permissions),
        "position": role.position,
        "color": role.color,
        "hoist": role.hoist,
        "mentionable": role.mentionable,
        "created_at": iso(role.created_at),
    }
