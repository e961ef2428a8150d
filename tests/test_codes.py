"""One list of error codes (``guildhall.codes``): the docs, the OpenAPI document and
the source all name codes from it, with the statuses it gives."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from guildhall.codes import STATUSES, ErrorCode, codes_for
from guildhall.errors import AppError
from tests.conftest import Client

pytestmark = pytest.mark.one_engine

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "guildhall"
CODE = re.compile(r"`([A-Z][A-Z0-9_]{2,})`")


def _code_table() -> dict[str, set[int]]:
    """``docs/API.md``'s table under ``| code | status | when |``: code → statuses."""
    lines = (ROOT / "docs" / "API.md").read_text().splitlines()
    start = lines.index("| code | status | when |") + 2
    table: dict[str, set[int]] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        codes, statuses = line.split("|")[1:3]
        for code in CODE.findall(codes):
            assert code not in table, f"{code} is in the table twice"
            table[code] = {int(s) for s in statuses.split(",")}
    return table


def test_every_code_has_its_statuses() -> None:
    assert set(STATUSES) == set(ErrorCode)
    assert all(STATUSES[code] for code in ErrorCode)


def test_docs_table_lists_every_code_with_its_statuses() -> None:
    table = _code_table()
    assert set(table) == {str(code) for code in ErrorCode}
    for code in ErrorCode:
        assert table[code] == set(STATUSES[code]), code


def test_app_error_refuses_a_code_not_in_the_list() -> None:
    assert AppError(ErrorCode.NOT_FOUND, 404).body()["code"] == "NOT_FOUND"
    with pytest.raises(ValueError):
        AppError("NOT_A_CODE", 400)  # type: ignore[arg-type]  # the point of the test


def test_source_spells_no_code_as_a_string() -> None:
    """A code written as ``"CHANNEL_NOT_FOUND"`` instead of ``ErrorCode.…`` would
    drift from the list; only ``codes.py`` spells them."""
    literal = re.compile(r"[\"']([A-Z][A-Z0-9_]{2,})[\"']")
    names = {str(code) for code in ErrorCode}
    found = [
        f"{path.relative_to(SRC)}: {name}"
        for path in SRC.rglob("*.py")
        if path.name != "codes.py"
        for name in literal.findall(path.read_text())
        if name in names
    ]
    assert found == []


def test_source_raises_each_code_with_a_listed_status() -> None:
    call = re.compile(r"AppError\(\s*ErrorCode\.(\w+),\s*(\d{3})")
    seen = 0
    for path in SRC.rglob("*.py"):
        for name, status in call.findall(path.read_text()):
            seen += 1
            assert int(status) in STATUSES[ErrorCode[name]], f"{path.name}: {name} {status}"
    assert seen > 50


async def test_openapi_names_only_listed_codes(anon: Callable[[], Client]) -> None:
    r = await anon().get("/api/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["components"]["schemas"]["ErrorBody"]["properties"]["code"]["$ref"]
    enum = doc["components"]["schemas"]["ErrorCode"]["enum"]
    assert enum == [str(code) for code in ErrorCode]
    named = set(CODE.findall(r.text))
    assert named, "the document names no code"
    assert named <= {str(code) for code in ErrorCode}
    # Each error status's description lists exactly the codes answered with it.
    for item in doc["paths"].values():
        for operation in item.values():
            for status, response in operation.get("responses", {}).items():
                if int(status) >= 400:
                    listed = set(CODE.findall(response["description"]))
                    assert listed == {str(c) for c in codes_for(int(status))}, status


def test_docs_name_every_socket_event() -> None:
    from guildhall.events import ClientEvent, ServerEvent
    from guildhall.realtime.handlers import HANDLERS

    assert set(HANDLERS) == set(ClientEvent)
    text = (ROOT / "docs" / "API.md").read_text()
    missing = [e.value for e in (*ServerEvent, *ClientEvent) if f"`{e.value}`" not in text]
    assert missing == []
