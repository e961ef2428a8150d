"""Shared steps of the role tests: a guild of alice (owner), bob and dave (members)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guildhall.permissions.bits import EVERYONE_DEFAULT, Permission
from tests.guilds.helpers import create_channel, create_guild, join


def bits(*perms: Permission) -> str:
    out = 0
    for p in perms:
        out |= int(p)
    return str(out)


@dataclass
class Guild:
    alice: Any  # owner
    bob: Any  # member
    dave: Any  # member
    id: int
    channel: int  # a text channel

    @property
    def everyone(self) -> int:
        """@everyone's id: it has its own numbering, found at position 0."""
        return self._everyone

    async def load(self) -> Guild:
        roles = (await self.alice.get(f"/api/guilds/{self.id}/roles")).json()
        assert roles[0]["position"] == 0 and roles[0]["name"] == "@everyone"
        self._everyone = roles[0]["id"]
        return self

    async def role(self, name: str = "role", **body: Any) -> dict[str, Any]:
        r = await self.alice.post(f"/api/guilds/{self.id}/roles", json={"name": name, **body})
        assert r.status_code == 201, r.text
        return r.json()

    async def give(self, who: Any, role: dict[str, Any], by: Any = None) -> Any:
        url = f"/api/guilds/{self.id}/members/{who.user['id']}/roles/{role['id']}"
        return await (by or self.alice).put(url)

    async def give_ok(self, who: Any, role: dict[str, Any]) -> dict[str, Any]:
        r = await self.give(who, role)
        assert r.status_code == 200, r.text
        return r.json()

    async def overwrite(
        self, target: int, type_: str, allow: str = "0", deny: str = "0", channel: int | None = None
    ) -> dict[str, Any]:
        url = f"/api/channels/{channel or self.channel}/permissions/{target}"
        r = await self.alice.put(url, json={"type": type_, "allow": allow, "deny": deny})
        assert r.status_code == 200, r.text
        return r.json()

    async def set_everyone(self, perms: int) -> None:
        r = await self.alice.put(
            f"/api/guilds/{self.id}/roles/{self.everyone}", json={"permissions": str(perms)}
        )
        assert r.status_code == 200, r.text

    async def roles(self) -> list[dict[str, Any]]:
        r = await self.alice.get(f"/api/guilds/{self.id}/roles")
        assert r.status_code == 200, r.text
        return r.json()


async def make_guild(alice: Any, bob: Any, dave: Any) -> Guild:
    g = await create_guild(alice)
    await join(alice, bob, g["id"])
    await join(alice, dave, g["id"])
    channel = await create_channel(alice, g["id"])
    return await Guild(alice, bob, dave, g["id"], channel["id"]).load()


WITHOUT = int(EVERYONE_DEFAULT)
