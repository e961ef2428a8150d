"""Every machine code the server answers, in one place (Zulip's ``ErrorCode``,
Synapse's ``Codes``).

A ``StrEnum``: a member *is* its string, so ``ErrorCode.USER_NOT_FOUND ==
"USER_NOT_FOUND"`` and the JSON bodies are what they were. ``AppError`` accepts
only these, the OpenAPI document's ``ErrorBody.code`` lists them, and a test
checks that ``docs/API.md``'s code table names each with every status in
``STATUSES``. The names are the contract's: never rename one.
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class ErrorCode(StrEnum):
    AUTH_REQUIRED = "AUTH_REQUIRED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_CSRF_TOKEN = "INVALID_CSRF_TOKEN"
    USER_NOT_FOUND = "USER_NOT_FOUND"
    USER_ALREADY_EXISTS = "USER_ALREADY_EXISTS"
    INVALID_EMAIL = "INVALID_EMAIL"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_INPUT = "INVALID_INPUT"
    MISSING_REQUIRED_FIELD = "MISSING_REQUIRED_FIELD"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    INVALID_FILE_TYPE = "INVALID_FILE_TYPE"
    INSUFFICIENT_PERMISSIONS = "INSUFFICIENT_PERMISSIONS"
    NOT_GUILD_OWNER = "NOT_GUILD_OWNER"
    NOT_CHANNEL_MEMBER = "NOT_CHANNEL_MEMBER"
    CHANNEL_READ_ONLY = "CHANNEL_READ_ONLY"
    USER_BANNED = "USER_BANNED"
    MEMBER_TIMED_OUT = "MEMBER_TIMED_OUT"
    NOT_FOUND = "NOT_FOUND"
    GUILD_NOT_FOUND = "GUILD_NOT_FOUND"
    CHANNEL_NOT_FOUND = "CHANNEL_NOT_FOUND"
    MESSAGE_NOT_FOUND = "MESSAGE_NOT_FOUND"
    POLL_NOT_FOUND = "POLL_NOT_FOUND"
    EMOJI_NOT_FOUND = "EMOJI_NOT_FOUND"
    STICKER_NOT_FOUND = "STICKER_NOT_FOUND"
    INVITE_NOT_FOUND = "INVITE_NOT_FOUND"
    ROLE_NOT_FOUND = "ROLE_NOT_FOUND"
    BAN_NOT_FOUND = "BAN_NOT_FOUND"
    INVITE_EXPIRED = "INVITE_EXPIRED"
    POLL_EXPIRED = "POLL_EXPIRED"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    LIMIT_REACHED = "LIMIT_REACHED"
    RANGE_NOT_SATISFIABLE = "RANGE_NOT_SATISFIABLE"
    RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"
    TOO_MANY_FRIEND_REQUESTS = "TOO_MANY_FRIEND_REQUESTS"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    NOT_READY = "NOT_READY"


# The HTTP statuses each code is answered with, the usual one first.
STATUSES: dict[ErrorCode, tuple[int, ...]] = {
    ErrorCode.AUTH_REQUIRED: (401,),
    ErrorCode.INVALID_CREDENTIALS: (401,),
    ErrorCode.INVALID_CSRF_TOKEN: (403,),
    ErrorCode.USER_NOT_FOUND: (404,),
    ErrorCode.USER_ALREADY_EXISTS: (400,),
    ErrorCode.INVALID_EMAIL: (400,),
    ErrorCode.WEAK_PASSWORD: (400,),
    # 413: a JSON body over its limit; 415: a body of the wrong type; 431: headers.
    ErrorCode.INVALID_INPUT: (400, 413, 415, 431),
    ErrorCode.MISSING_REQUIRED_FIELD: (400,),
    ErrorCode.FILE_TOO_LARGE: (413,),
    ErrorCode.INVALID_FILE_TYPE: (400,),
    ErrorCode.INSUFFICIENT_PERMISSIONS: (403,),
    ErrorCode.NOT_GUILD_OWNER: (403,),
    ErrorCode.NOT_CHANNEL_MEMBER: (403,),
    ErrorCode.CHANNEL_READ_ONLY: (403,),
    ErrorCode.USER_BANNED: (403,),
    ErrorCode.MEMBER_TIMED_OUT: (403,),
    ErrorCode.NOT_FOUND: (404,),
    ErrorCode.GUILD_NOT_FOUND: (404,),
    ErrorCode.CHANNEL_NOT_FOUND: (404,),
    ErrorCode.MESSAGE_NOT_FOUND: (404,),
    ErrorCode.POLL_NOT_FOUND: (404,),
    ErrorCode.EMOJI_NOT_FOUND: (404,),
    ErrorCode.STICKER_NOT_FOUND: (404,),
    ErrorCode.INVITE_NOT_FOUND: (404,),
    ErrorCode.ROLE_NOT_FOUND: (404,),
    ErrorCode.BAN_NOT_FOUND: (404,),
    ErrorCode.INVITE_EXPIRED: (404,),
    ErrorCode.POLL_EXPIRED: (400,),
    ErrorCode.METHOD_NOT_ALLOWED: (405,),
    ErrorCode.CONFLICT: (409,),
    ErrorCode.LIMIT_REACHED: (400,),
    ErrorCode.RANGE_NOT_SATISFIABLE: (416,),
    ErrorCode.RATE_LIMIT_EXCEEDED: (429,),
    ErrorCode.TOO_MANY_MESSAGES: (429,),
    ErrorCode.TOO_MANY_FRIEND_REQUESTS: (429,),
    # 503: a service the server needs (mail) is not configured or not reachable.
    ErrorCode.INTERNAL_ERROR: (500, 503),
    ErrorCode.NOT_READY: (503,),
}


def codes_for(status: int) -> list[ErrorCode]:
    """The codes answered with ``status``, in the enum's order."""
    return [code for code in ErrorCode if status in STATUSES[code]]
