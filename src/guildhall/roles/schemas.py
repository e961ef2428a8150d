from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from guildhall.kit.body import StrictBody
from guildhall.kit.openapi import Read

# Permissions travel as decimal strings (JSON numbers lose bits past 2^53).
PermissionString = str
_PERMS = Field(
    None,
    json_schema_extra={"type": "string", "pattern": "^[0-9]{1,20}$"},
    description="Permission bits as a decimal string",
)


class _NoNulls(StrictBody):
    """Optional fields may be left out, never sent as null (400 INVALID_INPUT
    naming the field): null is no permission string, color or flag."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null: leave the field out instead")
        return value


class RoleCreate(_NoNulls):
    """``name`` 1-100 characters; the rest optional."""

    name: str
    permissions: PermissionString | SkipJsonSchema[None] = _PERMS
    color: int | SkipJsonSchema[None] = None
    hoist: bool | SkipJsonSchema[None] = None
    mentionable: bool | SkipJsonSchema[None] = None


class RoleUpdate(_NoNulls):
    """Any subset; ``position`` 1 … the highest moves the role there."""

    name: str | SkipJsonSchema[None] = None
    permissions: PermissionString | SkipJsonSchema[None] = _PERMS
    color: int | SkipJsonSchema[None] = None
    hoist: bool | SkipJsonSchema[None] = None
    mentionable: bool | SkipJsonSchema[None] = None
    position: int | SkipJsonSchema[None] = None


class OverwriteIn(_NoNulls):
    """One channel overwrite: its target's kind and the bits it allows and denies."""

    type: str = Field(json_schema_extra={"enum": ["role", "member"]})
    allow: PermissionString | SkipJsonSchema[None] = _PERMS
    deny: PermissionString | SkipJsonSchema[None] = _PERMS


# Answers (documentation only: see ``kit/openapi.py``).


class RoleRead(Read):
    id: int
    guild_id: int
    name: str
    permissions: str
    position: int
    color: int
    hoist: bool
    mentionable: bool
    created_at: datetime


class MemberWithRoles(Read):
    id: int
    username: str
    avatar: str | None
    joined_at: datetime
    roles: list[int]
    communication_disabled_until: datetime | None
    guild_id: int
