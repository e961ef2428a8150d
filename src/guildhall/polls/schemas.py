from __future__ import annotations

from typing import Any

from guildhall.auth.schemas import StrictBody


class PollCreate(StrictBody):
    question: str
    options: list[str]
    allow_multiple: bool = False
    expires_hours: int = 24


class VoteIn(StrictBody):
    # The original sends "1"; numbers are accepted too. Checked by the service, so a
    # wrong type is reported as ``option_id`` rather than as a union member.
    option_id: Any
