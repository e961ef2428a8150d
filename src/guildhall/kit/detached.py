"""Read-only copies of mapped rows, built from plain columns.

The hot reads (a send's channel, a socket's join, a history page) take their rows
as plain columns through ``Tx.rows`` and get transient objects of the mapped
class, filled as the ORM's loading fills one (its instance dict), which no
session tracks: SQLAlchemy's execution and loading cost more than the lookups.
Only for readers: a change to a copy is stored nowhere.
"""

from __future__ import annotations

from typing import Any


def column_keys(model: Any) -> tuple[str, ...]:
    """The mapped column attributes of ``model``, in the mapper's order."""
    return tuple(p.key for p in model.__mapper__.column_attrs)


def columns(model: Any) -> list[Any]:
    """The columns to select for ``copy_row`` copies of ``model``."""
    return [getattr(model, k) for k in column_keys(model)]


def copy_row(model: Any, keys: tuple[str, ...], values: tuple[Any, ...] | Any) -> Any:
    """A transient ``model`` holding ``values`` for ``keys``."""
    obj = model.__mapper__.class_manager.new_instance()
    obj.__dict__.update(zip(keys, values, strict=True))
    return obj
