"""Baseline (a): a bare python-socketio AsyncServer under the same uvicorn as
Guildhall (uvloop, httptools, websockets-sansio), with rooms and two events.

``join_room {room}`` enters the room; ``send_message {room, content}`` emits a
``new_message`` shaped like Guildhall's message object to the room. No
authentication, no database: the transport alone.

    python bare_server.py PORT
"""

from __future__ import annotations

import itertools
import sys
from datetime import UTC, datetime
from typing import Any

import socketio
import uvicorn

sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=None)
ids = itertools.count(1)


@sio.on("join_room")
async def join_room(sid: str, data: dict[str, Any]) -> dict[str, Any]:
    await sio.enter_room(sid, data["room"])
    return {"ok": True, "room": data["room"]}


@sio.on("send_message")
async def send_message(sid: str, data: dict[str, Any]) -> dict[str, Any]:
    message = message_like(next(ids), data["room"], data["content"])
    await sio.emit("new_message", message, room=data["room"])
    return {"ok": True, "message": message}


def message_like(mid: int, room: str, content: str) -> dict[str, Any]:
    """The same fields (and so about the same bytes) as Guildhall's message object."""
    return {
        "id": mid,
        "channel_id": 2,
        "guild_id": 1,
        "author_id": 1,
        "username": "sender",
        "avatar": None,
        "content": content,
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "edited_at": None,
        "pinned": False,
        "files": [],
        "reactions": [],
        "poll": None,
        "nonce": None,
    }


app = socketio.ASGIApp(sio)

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        log_level="warning",
    )
