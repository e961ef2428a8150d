"""Every client socket event, as an unauthenticated socket, a non-member and a
member without the right: refused with the contract's code, nothing stored,
nothing of the guild shown, no room of the guild entered.

The matrix is checked against the handler registry, so a new event without a row
fails ``TestSocketMatrixIsComplete``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from guildhall.realtime.handlers import HANDLERS
from tests.realtime.conftest import connect  # noqa: F401  (fixture)
from tests.security.world import SECRET, World, build_world, diff, leaks, snapshot

Expect = tuple[int, str] | None  # None: this caller may do it
NOT_MEMBER = "NOT_CHANNEL_MEMBER"

Payload = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class SocketRow:
    payload: Payload
    outsider: str | None = NOT_MEMBER
    member: str | None = None
    member_payload: Payload | None = None


def room(w: World) -> dict[str, Any]:
    return {"room": w.room}


def on_message(message_id: Callable[[World], int], **extra: Any) -> Payload:
    return lambda w: {"room": w.room, "message_id": message_id(w), **extra}


def owner_message(w: World) -> int:
    return w.owner_message_id


def plain_message(w: World) -> int:
    return w.plain_message_id


SOCKET_MATRIX: dict[str, SocketRow] = {
    "join_room": SocketRow(room),
    # Leaving a room one is not in changes nothing and shows nothing.
    "leave_room": SocketRow(room, outsider=None),
    "send_message": SocketRow(
        lambda w: {"room": w.room, "content": "hacked", "nonce": "s1"},
        member="CHANNEL_READ_ONLY",
        member_payload=lambda w: {"room": w.read_only_room, "content": "hacked"},
    ),
    "typing": SocketRow(room),
    "stop_typing": SocketRow(room),
    "add_reaction": SocketRow(on_message(owner_message, emoji="🔥")),
    "remove_reaction": SocketRow(on_message(owner_message, emoji="👍")),
    "pin_message": SocketRow(
        on_message(plain_message),
        member="INSUFFICIENT_PERMISSIONS",
        member_payload=on_message(plain_message),
    ),
    "unpin_message": SocketRow(
        on_message(owner_message),
        member="INSUFFICIENT_PERMISSIONS",
        member_payload=on_message(owner_message),
    ),
    # Section 16: any member reads their own channels.
    "ack_message": SocketRow(on_message(owner_message)),
    # Section 18: answered per room, so the ack is ok and names the outsider's room
    # NOT_CHANNEL_MEMBER (tests/realtime/test_resume.py); the room is not entered
    # and nothing of it is heard (checked below like every other row).
    "resume": SocketRow(lambda w: {"rooms": {w.room: 0}}, outsider=None),
}
# Events any socket may send before signing in, and why.
UNAUTHENTICATED_EVENTS = {"authenticate": "how a socket signs in after connecting"}


@pytest.fixture
async def world(make_user: Any, server: str) -> World:
    return await build_world(make_user)


def sio_rooms(rt: Any, sid: str) -> set[str]:
    return set(rt.realtime.sio.manager.get_rooms(sid, "/")) - {sid}


def guild_rooms(world: World) -> set[str]:
    prefix = f"g:{world.guild_id}"
    return {prefix, world.room, world.read_only_room}


async def refused(rt: Any, world: World, probe: Any, event: str, data: Any, code: str) -> list[str]:
    """Send ``event`` with an ack and without; both must refuse with ``code``."""
    problems = []
    before = await snapshot(rt)
    ack = await probe.call(event, data)
    if ack.get("ok") is not False or ack.get("code") != code:
        problems.append(f"{event}: ack {ack}, expected {code}")
    await probe.emit(event, data)
    err = await probe.next("error")
    if err.get("code") != code:
        problems.append(f"{event}: error event {err}, expected {code}")
    if leaks(repr(ack) + repr(err), world):
        problems.append(f"{event}: leaks {leaks(repr(ack) + repr(err), world)}")
    changed = diff(before, await snapshot(rt))
    if changed:
        problems.append(f"{event}: changed {changed}")
    return problems


class TestSocketMatrixIsComplete:
    def test_every_client_event_has_a_row(self):
        assert set(HANDLERS) == SOCKET_MATRIX.keys() | UNAUTHENTICATED_EVENTS.keys()

    def test_only_the_listed_events_work_without_signing_in(self):
        public = {name for name, spec in HANDLERS.items() if not spec.needs_auth}
        assert public == UNAUTHENTICATED_EVENTS.keys()


class TestUnauthenticatedSocket:
    async def test_every_event_answers_auth_required(self, rt, world, connect):  # noqa: F811
        probe = await connect()
        problems = []
        for event, row in SOCKET_MATRIX.items():
            problems += await refused(rt, world, probe, event, row.payload(world), "AUTH_REQUIRED")
        assert problems == []
        assert sio_rooms(rt, probe.sid) == set()

    async def test_a_forged_token_leaves_the_socket_unauthenticated(
        self,
        rt,
        world,
        connect,  # noqa: F811
    ):
        probe = await connect(token="forged-" + "x" * 40)
        ack = await probe.call("authenticate", {"token": "y" * 43})
        assert ack["ok"] is False and ack["code"] == "AUTH_REQUIRED"
        problems = []
        for event, row in SOCKET_MATRIX.items():
            problems += await refused(rt, world, probe, event, row.payload(world), "AUTH_REQUIRED")
        assert problems == []


class TestNonMemberSocket:
    async def test_every_event_is_refused_and_nothing_is_heard(
        self,
        rt,
        world,
        connect,  # noqa: F811
    ):
        probe = await connect(token=world.outsider.user["token"])
        problems = []
        for event, row in SOCKET_MATRIX.items():
            data = row.payload(world)
            if row.outsider is None:
                ack = await probe.call(event, data)
                assert ack["ok"] is True and not leaks(repr(ack), world), (event, ack)
                continue
            problems += await refused(rt, world, probe, event, data, row.outsider)
        assert problems == []
        assert sio_rooms(rt, probe.sid) & guild_rooms(world) == set()

        # The guild's traffic does not reach the socket that tried.
        insider = await connect(token=world.member.user["token"])
        assert (await insider.call("join_room", {"room": world.room}))["ok"] is True
        await insider.call("typing", {"room": world.room})
        r = await world.owner.post(
            f"/api/channels/{world.channel_id}/messages", json={"content": f"{SECRET} later"}
        )
        assert r.status_code == 201
        await insider.next("new_message")
        await probe.sync()
        assert leaks(repr(probe.events), world) == [], probe.events

    async def test_a_room_of_its_own_guild_does_not_open_a_foreign_message(
        self,
        rt,
        world,
        connect,  # noqa: F811
    ):
        gid = (await world.outsider.post("/api/guilds", json={"name": "own"})).json()["id"]
        r = await world.outsider.post(f"/api/guilds/{gid}/channels", json={"name": "c"})
        own_room = f"g:{gid}:c:{r.json()['id']}"
        probe = await connect(token=world.outsider.user["token"])
        assert (await probe.call("join_room", {"room": own_room}))["ok"] is True
        problems = []
        for event in ("add_reaction", "remove_reaction", "pin_message", "unpin_message"):
            data = {"room": own_room, "message_id": world.owner_message_id, "emoji": "👍"}
            problems += await refused(rt, world, probe, event, data, NOT_MEMBER)
        assert problems == []


class TestMemberSocket:
    async def test_owner_and_author_actions_are_refused(self, rt, world, connect):  # noqa: F811
        probe = await connect(token=world.member.user["token"])
        problems = []
        for event, row in SOCKET_MATRIX.items():
            if row.member is None:
                continue
            assert row.member_payload is not None
            data = row.member_payload(world)
            problems += await refused(rt, world, probe, event, data, row.member)
        assert problems == []
