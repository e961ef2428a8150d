"""Shared steps of moderation and audit tests."""

from __future__ import annotations

from typing import Any

from guildhall.permissions import resolver
from guildhall.permissions.bits import ALL, Permission
from tests.guilds.helpers import create_guild, join


async def guild_with(owner: Any, *members: Any) -> int:
    """A guild of ``owner`` that ``members`` joined by invite; its id."""
    gid = (await create_guild(owner))["id"]
    for member in members:
        await join(owner, member, gid)
    return gid


def grant(monkeypatch: Any, user_id: int, perms: Permission = ALL) -> None:
    """Give one member ``perms`` guild-wide (roles are another branch's; the role
    position stays the member's, so the hierarchy still applies)."""
    original = resolver.guild_permissions

    async def patched(tx: Any, guild: Any, uid: int) -> Permission:
        if uid == user_id:
            return perms
        return await original(tx, guild, uid)

    monkeypatch.setattr(resolver, "guild_permissions", patched)


def assert_hierarchy(r: Any, permission: str) -> None:
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["code"] == "INSUFFICIENT_PERMISSIONS", body
    assert body["details"] == {"permission": permission, "reason": "hierarchy"}, body


def assert_missing(r: Any, permission: str) -> None:
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["code"] == "INSUFFICIENT_PERMISSIONS", body
    assert body["details"].get("permission") == permission, body
    assert "reason" not in body["details"], body
