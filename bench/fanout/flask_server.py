"""Baseline (b): Flask-SocketIO on gevent (gevent-websocket), the seed's own stack,
with the same two events as the bare python-socketio baseline.

Runs in ``bench/.venv-baseline`` (created by ``run.py``), never in the project's
environment.

    python flask_server.py PORT
"""

from gevent import monkey

monkey.patch_all()

import itertools  # noqa: E402
import sys  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins=None)
ids = itertools.count(1)


@socketio.on("join_room")
def on_join(data):
    join_room(data["room"])
    return {"ok": True, "room": data["room"]}


@socketio.on("send_message")
def on_send(data):
    message = {
        "id": next(ids),
        "channel_id": 2,
        "guild_id": 1,
        "author_id": 1,
        "username": "sender",
        "avatar": None,
        "content": data["content"],
        "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",  # noqa: UP017
        "edited_at": None,
        "pinned": False,
        "files": [],
        "reactions": [],
        "poll": None,
        "nonce": None,
    }
    emit("new_message", message, to=data["room"])
    return {"ok": True, "message": message}


if __name__ == "__main__":
    socketio.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_output=False)
