"""Engine.IO frames checked at our ASGI edge, before python-engineio parses them.

python-engineio decodes a WebSocket frame outside its error handling (an empty
or non-numeric frame ends the connection with a traceback) and logs a traceback
or a line for every bad packet of a polling POST while keeping the socket. The
contract refuses binary packets (section 19), so a binary frame is bad too.
A socket that sends any bad frame is closed, with one log line.
"""

from __future__ import annotations

# Engine.IO v4 packet types a client may send: open, close, ping, pong,
# message, upgrade, noop.
_TYPES = frozenset("0123456")
RECORD_SEPARATOR = "\x1e"


def frame_problem(text: str | None, data: bytes | None) -> str | None:
    """Why a WebSocket frame is refused, or None when it may reach python-engineio."""
    if data is not None or text is None:
        return "binary frame"
    if not text or text[0] not in _TYPES:
        return "malformed frame"
    return None


def payload_problem(body: bytes) -> str | None:
    """Why a polling POST body is refused: the same rule for each of its packets.

    A binary packet in a polling payload is ``b`` + base64, refused like a
    binary WebSocket frame.
    """
    if not body:
        return None
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return "malformed payload"
    for packet in text.split(RECORD_SEPARATOR):
        if packet[:1] == "b":
            return "binary frame"
        if not packet or packet[0] not in _TYPES:
            return "malformed frame"
    return None
