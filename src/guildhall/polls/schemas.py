from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from guildhall.kit.body import StrictBody
from guildhall.kit.openapi import Read


class PollCreate(StrictBody):
    """``question`` 1-300 characters; 2-10 ``options`` of 1-100 characters;
    ``expires_hours`` 1-168 (default 24)."""

    question: str
    options: list[str]
    allow_multiple: bool = False
    expires_hours: int = 24


class VoteIn(StrictBody):
    # The original sends "1"; numbers are accepted too. Checked by the service, so a
    # wrong type is reported as ``option_id`` rather than as a union member.
    option_id: Any = Field(json_schema_extra={"anyOf": [{"type": "string"}, {"type": "integer"}]})


# Answers (documentation only: see ``kit/openapi.py``).


class PollOptionRead(Read):
    id: str  # "1", "2", ... in order
    text: str
    votes: int


class PollRead(Read):
    id: str
    message_id: int
    question: str
    options: list[PollOptionRead]
    expires_at: datetime
    allow_multiple: bool


class PollWithVotes(PollRead):
    """A poll as one member sees it: plus the option ids they voted for."""

    user_votes: list[str]
