"""The indexed room table (realtime/manager.py): the same table as python-socketio's
own manager after any mix of connects, joins, leaves and disconnects, and a
disconnect that never walks the rooms the socket is not in."""

from __future__ import annotations

import random
from typing import Any

import pytest
import socketio

from guildhall.realtime.manager import IndexedManager

pytestmark = pytest.mark.one_engine  # no database


def managed(manager: Any) -> Any:
    socketio.AsyncServer(client_manager=manager, async_mode="asgi")
    manager.initialize()
    return manager


def table(manager: Any) -> dict[Any, dict[Any, dict[str, str]]]:
    """The room table as plain dicts, with sids renamed by their Engine.IO sid
    (the two managers draw different random sids for the same connect)."""
    out: dict[Any, dict[Any, dict[str, str]]] = {}
    for ns, rooms in manager.rooms.items():
        names = dict(rooms.get(None, {}))  # sid -> eio sid
        out[ns] = {
            (names.get(r, r) if isinstance(r, str) else r): {names[s]: e for s, e in m.items()}
            for r, m in rooms.items()
        }
    return out


async def test_any_mix_of_operations_leaves_the_stock_table() -> None:
    rng = random.Random(14)
    stock, indexed = managed(socketio.AsyncManager()), managed(IndexedManager())
    sids: list[tuple[str, str, str]] = []  # (eio sid, stock sid, indexed sid)
    rooms = [f"g:{g}" for g in range(6)]
    for step in range(2000):
        op = rng.random()
        if op < 0.25 or not sids:
            eio = f"eio-{step}"
            sids.append((eio, await stock.connect(eio, "/"), await indexed.connect(eio, "/")))
        elif op < 0.6:
            _, a, b = rng.choice(sids)
            room = rng.choice(rooms)
            await stock.enter_room(a, "/", room)
            await indexed.enter_room(b, "/", room)
        elif op < 0.8:
            _, a, b = rng.choice(sids)
            room = rng.choice(rooms)
            await stock.leave_room(a, "/", room)
            await indexed.leave_room(b, "/", room)
        else:
            _, a, b = sids.pop(rng.randrange(len(sids)))
            await stock.disconnect(a, "/")
            await indexed.disconnect(b, "/")
        if step % 97 == 0:
            assert table(indexed) == table(stock), f"tables differ after step {step}"
            for _, a, b in sids:
                assert sorted(indexed.get_rooms(b, "/"), key=str) == sorted(
                    [b if r == a else r for r in stock.get_rooms(a, "/")], key=str
                )
    assert table(indexed) == table(stock)
    for _, a, b in list(sids):
        await stock.disconnect(a, "/")
        await indexed.disconnect(b, "/")
    assert indexed.rooms == stock.rooms == {}
    assert indexed._rooms_of == {}


class Unscannable(dict[Any, Any]):
    """A namespace's room table that fails when walked as a whole."""

    def items(self) -> Any:
        raise AssertionError("the whole room table was walked")

    def copy(self) -> Any:
        raise AssertionError("the whole room table was copied")

    def __iter__(self) -> Any:
        raise AssertionError("the whole room table was walked")


async def test_a_disconnect_visits_only_the_sockets_own_rooms() -> None:
    manager = managed(IndexedManager())
    sids = [await manager.connect(f"eio-{i}", "/") for i in range(50)]
    for sid in sids:
        await manager.enter_room(sid, "/", "g:1")
    manager.rooms["/"] = Unscannable(manager.rooms["/"])
    await manager.disconnect(sids[0], "/")
    assert sids[0] not in manager.rooms["/"]["g:1"]
    assert sids[0] not in manager.rooms["/"][None]
    assert manager.get_rooms(sids[1], "/") in (["g:1", sids[1]], [sids[1], "g:1"])
