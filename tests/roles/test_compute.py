"""Section 13's order, table-driven against the pure algorithm: base (@everyone |
roles), ADMINISTRATOR, then the @everyone overwrite, the union of the member's
roles' overwrites, the member's own overwrite — each deny, then allow."""

from __future__ import annotations

import pytest

from guildhall.permissions.bits import ALL, EVERYONE_DEFAULT, Permission
from guildhall.permissions.compute import RoleInputs, channel_level, guild_level

P = Permission
EVERYONE, MOD, HELPER, OTHER_ROLE = 1, 2, 3, 4
ME, SOMEONE_ELSE = 10, 11


def roles(*held: tuple[int, int]) -> RoleInputs:
    """``(role id, permissions)`` pairs held, @everyone (id 1) given as the first."""
    base = 0
    for _, perms in held:
        base |= perms
    return RoleInputs(EVERYONE, base, len(held) - 1, frozenset(r for r, _ in held))


DEFAULT = (EVERYONE, int(EVERYONE_DEFAULT))
V, S, R = P.VIEW_CHANNEL, P.SEND_MESSAGES, P.READ_MESSAGE_HISTORY

CASES = [
    # (name, is_owner, held roles, overwrites, must have, must lack)
    ("defaults", False, [DEFAULT], [], V | S | R, P.MANAGE_MESSAGES),
    (
        "roles add to @everyone",
        False,
        [DEFAULT, (MOD, int(P.MANAGE_MESSAGES))],
        [],
        P.MANAGE_MESSAGES | V,
        P(0),
    ),
    ("@everyone deny hides", False, [DEFAULT], [("role", EVERYONE, 0, int(V))], P(0), V),
    (
        "a role's allow beats the @everyone deny",
        False,
        [DEFAULT, (MOD, 0)],
        [("role", EVERYONE, 0, int(V)), ("role", MOD, int(V), 0)],
        V,
        P(0),
    ),
    (
        "roles' overwrites are a union: any allow beats any deny",
        False,
        [DEFAULT, (MOD, 0), (HELPER, 0)],
        [("role", MOD, 0, int(S)), ("role", HELPER, int(S), 0)],
        S,
        P(0),
    ),
    (
        "a role's deny beats the @everyone allow",
        False,
        [DEFAULT, (MOD, 0)],
        [("role", EVERYONE, int(P.MANAGE_MESSAGES), 0), ("role", MOD, 0, int(P.MANAGE_MESSAGES))],
        V,
        P.MANAGE_MESSAGES,
    ),
    (
        "the member's deny beats a role's allow",
        False,
        [DEFAULT, (MOD, 0)],
        [("role", MOD, int(S), 0), ("member", ME, 0, int(S))],
        V,
        S,
    ),
    (
        "the member's allow beats a role's deny",
        False,
        [DEFAULT, (MOD, 0)],
        [("role", MOD, 0, int(S)), ("member", ME, int(S), 0)],
        S,
        P(0),
    ),
    (
        "overwrites of roles not held and of other members are ignored",
        False,
        [DEFAULT],
        [("role", OTHER_ROLE, 0, int(V)), ("member", SOMEONE_ELSE, 0, int(V))],
        V,
        P(0),
    ),
    (
        "a member id equal to a role id is not that role",
        False,
        [DEFAULT, (MOD, 0)],
        [("member", MOD, 0, int(V))],
        V,
        P(0),
    ),
    (
        "ADMINISTRATOR has all and ignores overwrites",
        False,
        [DEFAULT, (MOD, int(P.ADMINISTRATOR))],
        [("role", EVERYONE, 0, int(ALL)), ("member", ME, 0, int(ALL))],
        ALL,
        P(0),
    ),
    (
        "the owner has all whatever the overwrites",
        True,
        [(EVERYONE, 0)],
        [("role", EVERYONE, 0, int(ALL)), ("member", ME, 0, int(ALL))],
        ALL,
        P(0),
    ),
    ("no @everyone bits, no role: nothing", False, [(EVERYONE, 0)], [], P(0), V),
]


@pytest.mark.parametrize(
    ("is_owner", "held", "overwrites", "has", "lacks"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_channel_level(is_owner, held, overwrites, has, lacks):
    got = channel_level(is_owner, roles(*held), ME, overwrites)
    assert has in got
    assert not (got & lacks)


def test_guild_level_ignores_nothing_but_owner_and_admin():
    assert guild_level(True, 0) == ALL
    assert guild_level(False, int(P.ADMINISTRATOR)) == ALL
    assert guild_level(False, int(EVERYONE_DEFAULT)) == EVERYONE_DEFAULT
    # Unknown bits never leak out as permissions.
    assert guild_level(False, 1 << 50) == P(0)
