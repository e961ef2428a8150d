"""Real python-socketio clients against the app served by uvicorn in the test loop.

``world`` builds a small universe directly in the database (guilds, members,
channels), so these tests depend only on the realtime layer and the services it
calls. ``connect(...)`` opens a socket whose ``Probe`` records every event.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import socketio

from guildhall.events import Event
from guildhall.guilds.service import everyone_role
from guildhall.models import Channel, Friendship, Guild, Member
from tests.conftest import Client

WAIT = 5.0
# Never a real room: leaving it is a cheap round trip.
SYNC_ROOM = "g:999999999:c:999999999"


class Probe:
    """A connected socket and everything it has received, in order."""

    def __init__(self, client: socketio.AsyncClient) -> None:
        self.client = client
        self.events: list[tuple[str, Any]] = []
        self._changed = asyncio.Event()
        self.disconnected = asyncio.Event()

    def record(self, event: str, *args: Any) -> None:
        self.events.append((event, args[0] if len(args) == 1 else list(args)))
        self._changed.set()

    @property
    def sid(self) -> str:
        return self.client.get_sid()

    def named(self, event: str) -> list[Any]:
        return [data for name, data in self.events if name == event]

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    async def arrived(self, event: str, wait: float = WAIT) -> None:
        """Wait until ``event`` has arrived, without taking it."""
        async with asyncio.timeout(wait):
            while event not in self.names():
                self._changed.clear()
                await self._changed.wait()

    async def next(self, event: str, wait: float = WAIT) -> Any:
        """The first ``event`` not yet taken by ``next`` (waits for it)."""
        async with asyncio.timeout(wait):
            while True:
                for i, (name, data) in enumerate(self.events):
                    if name == event:
                        del self.events[i]
                        return data
                self._changed.clear()
                await self._changed.wait()

    async def call(self, event: str, data: Any = None, wait: float = WAIT) -> Any:
        if data is None:
            return await self.client.call(event, timeout=wait)
        return await self.client.call(event, data, timeout=wait)

    async def emit(self, event: str, *args: Any) -> None:
        await self.client.emit(event, args[0] if len(args) == 1 else args or None)

    async def sync(self) -> None:
        """A round trip: whatever the server queued for us before is now received."""
        await self.client.call("leave_room", {"room": SYNC_ROOM}, timeout=WAIT)

    def clear(self) -> None:
        self.events.clear()


@pytest.fixture
async def connect(server: str) -> AsyncIterator[Callable[..., Any]]:
    """``await connect(token=..., cookie=..., headers=..., transports=...)`` → Probe."""
    probes: list[Probe] = []

    async def open_socket(
        token: str | None = None,
        cookie: str | None = None,
        headers: dict[str, str] | None = None,
        transports: list[str] | None = None,
        auth: Any = None,
    ) -> Probe:
        client = socketio.AsyncClient(reconnection=False)
        probe = Probe(client)
        client.on("*", probe.record)

        @client.event
        def disconnect(reason: Any = None) -> None:
            probe.disconnected.set()

        hdrs = dict(headers or {})
        if cookie is not None:
            hdrs["Cookie"] = f"session={cookie}"
        if token is not None:
            auth = {"token": token}
        await client.connect(
            server,
            headers=hdrs,
            auth=auth,
            transports=transports or ["websocket"],
            wait_timeout=WAIT,
        )
        probes.append(probe)
        return probe

    yield open_socket
    for probe in probes:
        if probe.client.connected:
            await probe.client.disconnect()
    await asyncio.sleep(0)


@dataclass
class World:
    alice: Client  # owns g1
    bob: Client  # member of g1
    carol: Client  # owns g2, not in g1
    g1: int
    general: int  # text channel of g1
    random: int  # another text channel of g1
    announcements: int  # read-only channel of g1
    g2: int
    lounge: int  # text channel of g2

    def room(self, channel: str) -> str:
        gid = self.g2 if channel == "lounge" else self.g1
        return f"g:{gid}:c:{getattr(self, channel)}"

    def token(self, who: Client) -> str:
        return who.user["token"]


async def add_guild(rt: Any, owner_id: int, name: str, members: list[int]) -> int:
    async with rt.transaction() as tx:
        guild = Guild(name=name, owner_id=owner_id)
        tx.session.add(guild)
        await tx.session.flush()
        tx.session.add_all(Member(guild_id=guild.id, user_id=uid) for uid in {owner_id, *members})
        tx.session.add(everyone_role(guild.id))
        return guild.id


async def add_channel(rt: Any, guild_id: int, name: str, read_only: bool = False) -> int:
    async with rt.transaction() as tx:
        channel = Channel(guild_id=guild_id, name=name, type="text", read_only=read_only)
        tx.session.add(channel)
        await tx.session.flush()
        return channel.id


async def add_member(rt: Any, guild_id: int, user_id: int) -> None:
    async with rt.transaction() as tx:
        tx.session.add(Member(guild_id=guild_id, user_id=user_id))


async def befriend(rt: Any, a: int, b: int) -> None:
    async with rt.transaction() as tx:
        tx.session.add_all([Friendship(user_id=a, friend_id=b), Friendship(user_id=b, friend_id=a)])


async def emit_events(rt: Any, *events: tuple[str, str, Any]) -> None:
    """Commit a unit of work that records ``events`` the way a service does."""
    async with rt.transaction() as tx:
        for room, name, data in events:
            tx.emit(room, name, data)


@pytest.fixture
async def world(rt: Any, server: str, alice: Client, bob: Client, carol: Client) -> World:
    a, b, c = alice.user["id"], bob.user["id"], carol.user["id"]
    g1 = await add_guild(rt, a, "Guild One", [b])
    general = await add_channel(rt, g1, "general")
    random = await add_channel(rt, g1, "random")
    announcements = await add_channel(rt, g1, "announcements", read_only=True)
    g2 = await add_guild(rt, c, "Carol's", [])
    lounge = await add_channel(rt, g2, "lounge")
    return World(alice, bob, carol, g1, general, random, announcements, g2, lounge)


async def settle(rt: Any) -> None:
    """Wait until the background presence announcements have been published."""
    async with asyncio.timeout(WAIT):
        await rt.realtime.presence_settled()


async def listening(rt: Any, connect: Any, token: str) -> Probe:
    """A signed-in socket with nothing received yet (its own presence settled)."""
    probe = await connect(token=token)
    await settle(rt)
    await probe.sync()
    probe.clear()
    return probe


def realtime(rt: Any) -> Any:
    return rt.realtime


def room_members(rt: Any, room: str) -> set[str]:
    return {sid for sid, _ in realtime(rt).sio.manager.get_participants("/", room)}


__all__ = ["Event", "Probe", "World"]
