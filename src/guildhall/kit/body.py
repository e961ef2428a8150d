"""The base of every request body model (JSON and socket events alike)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

_SURROGATE = re.compile("[\ud800-\udfff]")


class StrictBody(BaseModel):
    """Request bodies: JSON types are checked strictly, unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")

    # Python's JSON decoder lets a lone surrogate through (escaped "\ud800", or its
    # UTF-8 bytes); no database can store one, so it is refused here, by field.
    @field_validator("*", mode="after")
    @classmethod
    def _no_lone_surrogates(cls, value: Any) -> Any:
        if _has_surrogate(value):
            raise ValueError("text must be valid Unicode (no lone surrogates)")
        return value


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, list | tuple):
        return any(_has_surrogate(v) for v in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, BaseModel):
        return any(_has_surrogate(v) for v in value.__dict__.values())
    return False
