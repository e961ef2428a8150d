"""Bits the contract does not name: every field that takes permissions drops them
the same way (docs/API.md section 13, as Discord does), and a value that is no
64-bit permission set is 400 INVALID_INPUT naming the field."""

from __future__ import annotations

import pytest

from guildhall.permissions.bits import Permission

V = int(Permission.VIEW_CHANNEL)
UNKNOWN = (1 << 50) | (1 << 9) | (1 << 62)  # none of them named by section 13
FIELDS = ("role.permissions", "role_update.permissions", "overwrite.allow", "overwrite.deny")


async def _send(g, where: str, value: str):
    """Send ``value`` in the field ``where``; answer (response, the stored value)."""
    if where == "role.permissions":
        r = await g.alice.post(
            f"/api/guilds/{g.id}/roles", json={"name": "x", "permissions": value}
        )
        return r, (r.json().get("permissions") if r.status_code == 201 else None)
    if where == "role_update.permissions":
        r = await g.alice.put(f"/api/guilds/{g.id}/roles/{g.everyone}", json={"permissions": value})
        return r, (r.json().get("permissions") if r.status_code == 200 else None)
    field = where.split(".")[1]
    r = await g.alice.put(
        f"/api/channels/{g.channel}/permissions/{g.everyone}", json={"type": "role", field: value}
    )
    stored = None
    if r.status_code == 200:
        stored = r.json()["permission_overwrites"][0][field]
    return r, stored


@pytest.mark.parametrize("where", FIELDS)
async def test_unknown_bits_are_dropped_everywhere(g, where):
    r, stored = await _send(g, where, str(UNKNOWN | V))
    assert r.status_code in (200, 201), r.text
    assert stored == str(V)


@pytest.mark.parametrize("where", FIELDS)
async def test_what_is_no_permission_set_is_refused(g, where):
    for value in (str(1 << 63), "-1", "1e3", " 1024", "0x400", "9" * 21):
        r, _ = await _send(g, where, value)
        assert r.status_code == 400, (value, r.text)
        body = r.json()
        assert body["code"] == "INVALID_INPUT"
        assert body["details"]["field"] == where.split(".")[1]
