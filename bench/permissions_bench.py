"""What permissions cost on the hot paths (SQLite, in process). Not a test.

A guild of 20 roles; the sender holds 5 of them; the channel has 10 overwrites
(3 concerning the sender). Times, interleaved in rounds so that a load spike on
the shared machine hits both sides of a comparison alike:

* the send path's one authorizing statement (channel, guild, member, author) with
  the permission sub-selects (``guilds.access``, as shipped) and without them
  (what wave one ran): the only statement permissions add work to;
* a whole send (``messages.send`` in a unit of work, commit included);
* delivering one ``new_message`` to a room of 1000 sockets (the fan-out: no
  permission check per event, rooms follow permissions), and one channel event to
  ``g:<id>`` skipping 100 members who may not see the channel (``skip_rooms``).

Writes ``bench/results/permissions.json`` and ``.md``.

    .venv/bin/python bench/permissions_bench.py [--rounds 10] [--per-round 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import bindparam, insert, select

from guildhall.app import create_app, start, stop
from guildhall.config import Settings
from guildhall.events import Event, guild_room, user_room
from guildhall.guilds.access import channel_access
from guildhall.messages import service as messages
from guildhall.models import Channel, Guild, Member, MemberRole, Role, User
from guildhall.permissions.bits import Permission

RESULTS = Path(__file__).parent / "results"
PASSWORD = "benchmark password 1"
NO_LIMITS = {
    k: "off"
    for k in (
        "api_rate_limit",
        "socket_rate_limit",
        "upload_rate_limit",
        "message_rate_limit",
        "friend_request_rate_limit",
        "login_failure_limit",
    )
}

# Wave one's statement: built as ``guilds.access`` builds it, minus the permission
# inputs (the member's timeout and the two sub-selects).
_BARE = (
    select(Channel, Guild, Member.user_id)
    .join(Guild, Guild.id == Channel.guild_id)
    .outerjoin(Member, (Member.guild_id == Guild.id) & (Member.user_id == bindparam("user_id")))
    .where(Channel.id == bindparam("channel_id"))
    .outerjoin(User, User.id == Member.user_id)
    .add_columns(User.username, User.avatar, User.display_name)
)


async def setup(client: httpx.AsyncClient) -> dict[str, Any]:
    async def user(name: str) -> dict[str, Any]:
        r = await client.post(
            "/api/register",
            json={"username": name, "password": PASSWORD, "email": f"{name}@x.example"},
        )
        r.raise_for_status()
        return r.json()

    def auth(u: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {u['token']}"}

    owner, sender = await user("owner"), await user("sender")
    h = auth(owner)
    gid = (await client.post("/api/guilds", json={"name": "g"}, headers=h)).json()["id"]
    cid = (await client.post(f"/api/guilds/{gid}/channels", json={"name": "c"}, headers=h)).json()[
        "id"
    ]
    code = (await client.post(f"/api/guilds/{gid}/invites", json={}, headers=h)).json()["code"]
    (await client.post(f"/api/invites/{code}/join", headers=auth(sender))).raise_for_status()
    roles = []
    for i in range(20):
        body = {"name": f"r{i}", "permissions": str(int(Permission.VIEW_CHANNEL) << (i % 3))}
        r = await client.post(f"/api/guilds/{gid}/roles", json=body, headers=h)
        r.raise_for_status()
        roles.append(r.json()["id"])
    for rid in roles[:5]:
        url = f"/api/guilds/{gid}/members/{sender['id']}/roles/{rid}"
        (await client.put(url, headers=h)).raise_for_status()
    for rid in roles[2:12]:  # 10 overwrites, 3 of them on the sender's roles
        body = {"type": "role", "allow": str(int(Permission.ADD_REACTIONS)), "deny": "0"}
        url = f"/api/channels/{cid}/permissions/{rid}"
        (await client.put(url, json=body, headers=h)).raise_for_status()
    return {"guild": gid, "channel": cid, "sender": sender["id"], "owner": owner["id"]}


async def elsewhere(rt: Any, owner: int, sender: int, guilds: int, channels: int) -> None:
    """The rest of a populated database: ``guilds`` other guilds of ``channels``
    channels each; the sender is in all of them and holds 5 roles in each."""
    base = 1_000_000
    async with rt.transaction() as tx:
        gids = [base + g for g in range(guilds)]
        await tx.session.execute(
            insert(Guild), [{"id": g, "name": "o", "owner_id": owner} for g in gids]
        )
        await tx.session.execute(
            insert(Member), [{"guild_id": g, "user_id": u} for g in gids for u in (owner, sender)]
        )
        await tx.session.execute(
            insert(Channel),
            [{"guild_id": g, "name": "c", "position": i} for g in gids for i in range(channels)],
        )
        roles = [
            {"id": base + g * 10 + r, "guild_id": gid, "name": "r", "position": r, "permissions": 0}
            for g, gid in enumerate(gids)
            for r in range(6)
        ]
        await tx.session.execute(insert(Role), roles)
        await tx.session.execute(
            insert(MemberRole),
            [
                {"guild_id": r["guild_id"], "user_id": sender, "role_id": r["id"]}
                for r in roles
                if r["position"] > 0
            ],
        )


async def timed(fn: Callable[[], Awaitable[Any]], n: int) -> float:
    """Microseconds per call, over ``n`` calls."""
    t0 = time.perf_counter()
    for _ in range(n):
        await fn()
    return (time.perf_counter() - t0) / n * 1e6


class FakeSock:
    """What the fast broadcast path touches of an Engine.IO socket."""

    closing = closed = False

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue()


def fill_room(realtime: Any, room: str, n: int, prefix: str) -> list[str]:
    """``n`` fake sockets in ``room``, each also in its own ``u:<id>`` room."""
    mgr = realtime.sio.manager
    table = mgr.rooms.setdefault("/", {})
    sids = []
    for i in range(n):
        sid, eio = f"{prefix}s{i}", f"{prefix}e{i}"
        realtime.sio.eio.sockets[eio] = FakeSock()
        mgr.basic_enter_room(sid, "/", room, eio_sid=eio)
        mgr.basic_enter_room(sid, "/", user_room(10_000 + i), eio_sid=eio)
        sids.append(sid)
    assert len(table[room]) == n
    return sids


def drain(realtime: Any) -> None:
    for sock in realtime.sio.eio.sockets.values():
        if isinstance(sock, FakeSock):
            while not sock.queue.empty():
                sock.queue.get_nowait()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="perm-bench-"))
    settings = Settings(_env_file=None, data_dir=tmp, secret_key="bench", **NO_LIMITS)  # type: ignore[call-arg]
    app = create_app(settings)
    rt = app.state.rt
    await start(rt)
    realtime = rt.realtime
    try:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            ids = await setup(client)
        cid, uid, gid = ids["channel"], ids["sender"], ids["guild"]
        if args.guilds:
            await elsewhere(rt, ids["owner"], uid, args.guilds, args.channels)
        params = {"channel_id": cid, "user_id": uid}

        async def with_perms() -> None:
            async with rt.transaction(write=False) as tx:
                found = await channel_access(tx, cid, uid, with_author=True)
                assert Permission.SEND_MESSAGES in found.permissions

        async def bare() -> None:
            async with rt.transaction(write=False) as tx:
                row = (await tx.session.execute(_BARE, params)).first()
                assert row is not None and row[2] == uid

        count = 0

        async def send() -> None:
            nonlocal count
            count += 1
            async with rt.transaction() as tx:
                await messages.send(tx, uid, cid, f"m{count}")

        room = f"g:{gid}:c:{cid}"
        fill_room(realtime, room, 1000, "c")
        fill_room(realtime, guild_room(gid), 1000, "g")
        message = {"id": 1, "content": "x" * 100, "room": room}
        skip = tuple(user_room(10_000 + i) for i in range(0, 1000, 10))  # 100 hidden

        async def fan_out() -> None:
            await realtime.deliver([Event(room, "new_message", message)])
            drain(realtime)

        async def fan_out_skipping() -> None:
            ev = Event(guild_room(gid), "channel_updated", message, None, skip)
            await realtime.deliver([ev])
            drain(realtime)

        cases = {
            "statement_without_permissions_us": bare,
            "statement_with_permissions_us": with_perms,
            "send_us": send,
            "deliver_1000_us": fan_out,
            "deliver_1000_skip_100_us": fan_out_skipping,
        }
        for fn in cases.values():  # warm-up: caches, statement compilation
            await timed(fn, min(20, args.per_round))
        samples: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(args.rounds):
            for key, fn in cases.items():
                n = args.per_round if "statement" in key else max(args.per_round // 4, 10)
                samples[key].append(await timed(fn, n))
    finally:
        await stop(rt)
    out: dict[str, Any] = {
        k: {
            "median": round(statistics.median(v), 1),
            "min": round(min(v), 1),
            "max": round(max(v), 1),
        }
        for k, v in samples.items()
    }
    out["machine"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "note": "shared 2-core machine, other benchmarks and test runs alongside: noisy",
    }
    out["rounds"], out["per_round"] = args.rounds, args.per_round
    out["other_guilds"], out["channels_each"] = args.guilds, args.channels
    return out


def write(result: dict[str, Any], name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Permissions on the hot paths (SQLite, in process)",
        "",
        "Microseconds per call: median (min–max) of the rounds. "
        + result["machine"]["note"]
        + f"; load average {tuple(round(x, 1) for x in result['machine']['load_average'])}.",
        "",
        f"The sender is also in {result['other_guilds']} other guilds of "
        f"{result['channels_each']} channels each, with 5 roles in each.",
        "",
        "| case | median | min | max |",
        "| --- | --- | --- | --- |",
    ]
    for key, v in result.items():
        if isinstance(v, dict) and "median" in v:
            lines.append(f"| {key} | {v['median']} | {v['min']} | {v['max']} |")
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=200)
    parser.add_argument("--guilds", type=int, default=100, help="other guilds of the sender")
    parser.add_argument("--channels", type=int, default=100, help="channels per other guild")
    parser.add_argument("--out", default="permissions", help="results file name")
    parsed = parser.parse_args()
    result = asyncio.run(main(parsed))
    write(result, parsed.out)
    print(json.dumps(result, indent=2))
