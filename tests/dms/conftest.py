"""Direct messages: users made friends (or guild-mates) over the API."""

from __future__ import annotations

from typing import Any

from tests.conftest import Client


async def befriend(a: Client, b: Client) -> None:
    r = await a.post("/api/friends/request", json={"to": b.user["username"]})
    assert r.status_code == 200, r.text
    r = await b.post("/api/friends/accept", json={"from": a.user["username"]})
    assert r.json() == {"message": "Friend request accepted"}


async def share_guild(owner: Client, *others: Client) -> tuple[int, int]:
    """A guild of ``owner`` with ``others`` joined by invite: (guild id, channel id)."""
    gid = (await owner.post("/api/guilds", json={"name": "Shared"})).json()["id"]
    cid = (await owner.post(f"/api/guilds/{gid}/channels", json={"name": "general"})).json()["id"]
    code = (await owner.post(f"/api/guilds/{gid}/invites", json={})).json()["code"]
    for other in others:
        assert (await other.post(f"/api/invites/{code}/join")).status_code == 200
    return gid, cid


async def open_dm(a: Client, b: Client) -> dict[str, Any]:
    r = await a.post("/api/users/@me/channels", json={"recipient_id": b.user["id"]})
    assert r.status_code == 200, r.text
    return r.json()


async def send(client: Client, channel_id: int, content: str, **extra: Any) -> dict[str, Any]:
    r = await client.post(
        f"/api/channels/{channel_id}/messages", json={"content": content, **extra}
    )
    assert r.status_code == 201, r.text
    return r.json()
