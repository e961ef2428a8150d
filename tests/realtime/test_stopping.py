"""A node that is stopping (``Realtime.close_all``, run on SIGTERM): every
Engine.IO session it holds is closed, signed in or not yet, so no parked
long-poll is left for the HTTP server to wait out; and no new session is taken,
so none can park one between that and the listener's close. The process-level
check (a real SIGTERM, stock clients) is tests/e2e/test_stop_e2e.py."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
import websockets

from tests.realtime.conftest import WAIT, realtime
from tests.realtime.test_engine import ws_url
from tests.realtime.test_hostile import raw_socket

pytestmark = pytest.mark.one_engine  # the transport, not the database


async def test_close_all_answers_every_parked_poll_and_takes_no_new_session(
    rt, world, server
) -> None:
    signed_in = await raw_socket(server, world.token(world.alice))
    async with httpx.AsyncClient(timeout=WAIT) as http:
        # An Engine.IO session that has not sent Socket.IO's connect yet: it is
        # no user's socket, but its long-poll is parked all the same.
        r = await http.get(f"{server}/socket.io/?EIO=4&transport=polling")
        sid = orjson.loads(r.text[1:])["sid"]
        poll = asyncio.create_task(
            http.get(f"{server}/socket.io/?EIO=4&transport=polling&sid={sid}")
        )
        await asyncio.sleep(0.2)
        assert not poll.done()  # parked: nothing to send it

        closed = await realtime(rt).close_all()

        assert closed == 2
        async with asyncio.timeout(2):  # not the ping interval (25 s)
            answered = await poll
        assert answered.status_code == 200
        with pytest.raises(websockets.ConnectionClosed):
            async with asyncio.timeout(2):
                while True:
                    await signed_in.recv()
        assert not realtime(rt).sio.eio.sockets

        # A client that comes back to this node is sent elsewhere, at once.
        r = await http.get(f"{server}/socket.io/?EIO=4&transport=polling")
        assert (r.status_code, r.text) == (503, "Server stopping")
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            await websockets.connect(ws_url(server))
        assert refused.value.response.status_code == 403
        # The rest of the node answers as before while uvicorn winds down.
        assert (await http.get(f"{server}/healthz")).status_code == 200
    assert not realtime(rt).sio.eio.sockets
