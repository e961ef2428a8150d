"""The authorization matrix of sections 13 and 14: every REST route and every
socket event × nine principals, with the contract's answer for each.

Principals: ``anonymous``, ``outsider`` (signed in, not a member), ``member``
(@everyone's defaults), ``hidden`` (a member whose overwrite denies VIEW_CHANNEL
on the channels the routes address), ``timed`` (a timed-out member),
``overwrite`` (a member given MANAGE_MESSAGES, MANAGE_CHANNELS and MANAGE_ROLES
by a member overwrite on those channels only), ``moderator`` (a role with every
permission but ADMINISTRATOR), ``admin`` (a role with ADMINISTRATOR) and
``owner``.

The tables are checked against the app's route table and the socket handler
registry: a route or event added without a row fails ``TestComplete``. Every
principal gets its own guild (``build``) and calls every route in one order:
allowed calls are made for real (2xx), destructive ones last and on targets of
their own (a spare channel, message, role, a victim member), and a refusal must
be exactly the expected status and code (and ``details.permission``) and change
nothing stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from guildhall.kit.time import iso, utcnow
from guildhall.permissions.bits import ALL, Permission
from guildhall.realtime.handlers import HANDLERS
from tests.factories import ok
from tests.security.routes import api_routes
from tests.security.test_authorization_matrix import MATRIX, Allowed, Public, call
from tests.security.world import World, build_world, diff, snapshot

P = Permission
PRINCIPALS = (
    "anonymous",
    "outsider",
    "member",
    "hidden",
    "timed",
    "overwrite",
    "moderator",
    "admin",
    "owner",
)
MEMBERS = PRINCIPALS[2:]


@dataclass(frozen=True)
class Refused:
    status: int
    code: str
    permission: str | None = None  # details.permission, when the contract names one


OK = "ok"  # allowed: made for real, answers 2xx
OWN = "own"  # about the caller's own account, no guild rule: not called here (tests/auth)
Verdict = str | Refused


def np(perm: Permission) -> Refused:
    assert perm.name is not None
    return Refused(403, "INSUFFICIENT_PERMISSIONS", perm.name)


AUTH = Refused(401, "AUTH_REQUIRED")
NOT_MEMBER = Refused(403, "NOT_CHANNEL_MEMBER")
NOT_OWNER = Refused(403, "NOT_GUILD_OWNER")
NO_VIEW = np(P.VIEW_CHANNEL)
TIMED_OUT = Refused(403, "MEMBER_TIMED_OUT")


def verdicts(**given: Verdict) -> dict[str, Verdict]:
    """Members' verdicts (OK unless given)."""
    return {name: given.get(name, OK) for name in MEMBERS}


def guild_read() -> dict[str, Verdict]:
    return verdicts()


def guild_perm(perm: Permission, **more: Verdict) -> dict[str, Verdict]:
    """Needs ``perm`` guild-wide: a channel overwrite does not give it."""
    refused = np(perm)
    base: dict[str, Verdict] = {
        "member": refused,
        "hidden": refused,
        "timed": refused,
        "overwrite": refused,
    }
    return verdicts(**{**base, **more})


def channel_read(**more: Verdict) -> dict[str, Verdict]:
    return verdicts(**{"hidden": NO_VIEW, **more})


def channel_perm(perm: Permission, **more: Verdict) -> dict[str, Verdict]:
    """Needs ``perm`` in the channel (the overwrite principal holds it there)."""
    return verdicts(**{"member": np(perm), "hidden": NO_VIEW, "timed": np(perm), **more})


def channel_act(**more: Verdict) -> dict[str, Verdict]:
    """Any member who sees the channel, unless timed out."""
    return channel_read(**{"timed": TIMED_OUT, **more})


def author_only(**more: Verdict) -> dict[str, Verdict]:
    """Only the message's author (the owner), whatever permission anyone holds: no
    bit governs it, so ``details`` may be empty (part two's error rules)."""
    refused = Refused(403, "INSUFFICIENT_PERMISSIONS")
    others = {n: refused for n in ("member", "timed", "overwrite", "moderator", "admin")}
    return verdicts(**{**others, "hidden": NO_VIEW, **more})


ACCOUNT = verdicts(**{name: OWN for name in MEMBERS})
ACCOUNT_READ = guild_read()  # the caller's own things: any principal reads them

G = "/api/guilds/{guild_id}"
C = "/api/channels/{channel_id}"
M = "/api/messages/{message_id}"


@dataclass(frozen=True)
class Route:
    expect: dict[str, Verdict]
    json: Any = None  # for the members' calls (else the security matrix's body)
    params: dict[str, str] = field(default_factory=dict)  # target → a Setup attribute


FUTURE = "future"  # replaced by a time a day ahead

REST: dict[tuple[str, str], Route] = {
    # -- accounts, users, friends: no guild rule (tests/auth, tests/friends) -------
    ("POST", "/api/register"): Route(ACCOUNT),
    ("POST", "/api/login"): Route(ACCOUNT),
    ("POST", "/api/logout"): Route(ACCOUNT),
    ("GET", "/api/me"): Route(ACCOUNT_READ),
    ("POST", "/api/me/password"): Route(ACCOUNT),
    ("PUT", "/api/me"): Route(ACCOUNT),
    ("POST", "/api/password-reset"): Route(ACCOUNT),
    ("POST", "/api/password-reset/confirm"): Route(ACCOUNT),
    ("GET", "/api/openapi.json"): Route(ACCOUNT_READ),
    ("GET", "/api/docs"): Route(ACCOUNT_READ),
    ("GET", "/api/users"): Route(ACCOUNT_READ),
    ("GET", "/api/search/users"): Route(ACCOUNT_READ),
    ("POST", "/api/friends/request"): Route(ACCOUNT),
    ("POST", "/api/friends/accept"): Route(ACCOUNT),
    ("POST", "/api/friends/decline"): Route(ACCOUNT),
    ("POST", "/api/friends/cancel"): Route(ACCOUNT),
    ("POST", "/api/friends/remove"): Route(ACCOUNT),
    ("GET", "/api/friends/status"): Route(ACCOUNT_READ),
    ("GET", "/api/users/@me/read-states"): Route(ACCOUNT_READ),
    # -- DMs (section 15): recipients, not guild permissions (tests/dms) ----------------
    ("POST", "/api/users/@me/channels"): Route(ACCOUNT),
    ("GET", "/api/users/@me/channels"): Route(ACCOUNT_READ),
    ("PUT", C + "/recipients/{user_id}"): Route(ACCOUNT),
    ("DELETE", C + "/recipients/{user_id}"): Route(ACCOUNT),
    ("POST", "/api/upload"): Route(guild_read()),
    ("GET", "/api/search/messages"): Route(guild_read()),
    ("POST", "/api/guilds"): Route(guild_read(), json={"name": "another"}),
    ("GET", "/api/guilds"): Route(guild_read()),
    # -- the guild -----------------------------------------------------------------
    ("GET", G): Route(guild_read()),
    ("PUT", G): Route(guild_perm(P.MANAGE_GUILD), json={"description": "changed"}),
    ("GET", G + "/members"): Route(guild_read()),
    ("POST", G + "/invites"): Route(verdicts(timed=TIMED_OUT), json={}),
    ("GET", G + "/invites"): Route(guild_read()),
    ("GET", "/api/invites/{code}"): Route(guild_read()),
    ("POST", "/api/invites/{code}/join"): Route(guild_read()),
    ("GET", G + "/bans"): Route(guild_perm(P.BAN_MEMBERS)),
    ("GET", G + "/audit-log"): Route(guild_perm(P.VIEW_AUDIT_LOG)),
    # -- channels ------------------------------------------------------------------
    ("POST", G + "/channels"): Route(guild_perm(P.MANAGE_CHANNELS), json={"name": "new"}),
    ("GET", G + "/channels"): Route(guild_read()),
    ("PUT", C): Route(channel_perm(P.MANAGE_CHANNELS), json={"name": "renamed"}),
    ("PUT", C + "/permissions/{target_id}"): Route(
        channel_perm(P.MANAGE_ROLES), json={"type": "role", "deny": str(int(P.ADD_REACTIONS))}
    ),
    ("DELETE", C + "/permissions/{target_id}"): Route(channel_perm(P.MANAGE_ROLES)),
    # -- roles ---------------------------------------------------------------------
    ("GET", G + "/roles"): Route(guild_read()),
    ("POST", G + "/roles"): Route(guild_perm(P.MANAGE_ROLES), json={"name": "new"}),
    ("PUT", G + "/roles/{role_id}"): Route(guild_perm(P.MANAGE_ROLES), json={"name": "renamed"}),
    ("PUT", G + "/members/{user_id}/roles/{role_id}"): Route(
        guild_perm(P.MANAGE_ROLES), params={"user_id": "victim_id"}
    ),
    ("DELETE", G + "/members/{user_id}/roles/{role_id}"): Route(
        guild_perm(P.MANAGE_ROLES), params={"user_id": "victim_id"}
    ),
    # -- messages ------------------------------------------------------------------
    ("GET", C + "/messages"): Route(channel_read()),
    ("POST", C + "/messages"): Route(channel_act(), json={"content": "hello"}),
    ("GET", C + "/pins"): Route(channel_read()),
    ("PUT", M): Route(author_only(), json={"content": "edited"}),
    ("POST", M + "/pin"): Route(
        channel_perm(P.MANAGE_MESSAGES), params={"message_id": "plain_message_id"}
    ),
    ("POST", M + "/unpin"): Route(channel_perm(P.MANAGE_MESSAGES)),
    ("GET", M + "/edits"): Route(channel_read()),
    # 👍 is already on the message: joining it needs only VIEW_CHANNEL.
    ("PUT", M + "/reactions/{emoji}"): Route(channel_act()),
    ("DELETE", M + "/reactions/{emoji}"): Route(channel_read()),
    ("POST", C + "/ack"): Route(channel_read(), json={"message_id": 0}),
    # -- polls (section 9: the author adds one; members vote) -----------------------
    ("POST", M + "/poll"): Route(
        author_only(),
        json={"question": "q?", "options": ["a", "b"]},
        params={"message_id": "plain_message_id"},
    ),
    ("GET", M + "/poll"): Route(channel_read()),
    ("POST", "/api/polls/{poll_id}/vote"): Route(channel_act(), json={"option_id": "2"}),
    ("DELETE", "/api/polls/{poll_id}/vote"): Route(channel_act()),
    # -- emojis, stickers ----------------------------------------------------------
    ("GET", G + "/emojis"): Route(guild_read()),
    ("POST", G + "/emojis"): Route(guild_perm(P.MANAGE_GUILD_EXPRESSIONS)),
    ("GET", G + "/stickers"): Route(guild_read()),
    ("POST", G + "/stickers"): Route(guild_perm(P.MANAGE_GUILD_EXPRESSIONS)),
    # -- destructive, last, in this order, on targets of their own ------------------
    ("PUT", G + "/members/{user_id}"): Route(
        guild_perm(P.MODERATE_MEMBERS),
        json={"communication_disabled_until": FUTURE},
        params={"user_id": "victim_id"},
    ),
    ("DELETE", M): Route(
        channel_perm(P.MANAGE_MESSAGES), params={"message_id": "spare_message_id"}
    ),
    ("DELETE", "/api/emojis/{emoji_id}"): Route(guild_perm(P.MANAGE_GUILD_EXPRESSIONS)),
    ("DELETE", "/api/stickers/{sticker_id}"): Route(guild_perm(P.MANAGE_GUILD_EXPRESSIONS)),
    ("DELETE", G + "/roles/{role_id}"): Route(
        guild_perm(P.MANAGE_ROLES), params={"role_id": "spare_role_id"}
    ),
    ("DELETE", "/api/invites/{code}"): Route(guild_perm(P.MANAGE_GUILD)),
    ("DELETE", G + "/members/{user_id}"): Route(
        guild_perm(P.KICK_MEMBERS), params={"user_id": "victim_id"}
    ),
    ("PUT", G + "/bans/{user_id}"): Route(
        guild_perm(P.BAN_MEMBERS), json={"reason": "spam"}, params={"user_id": "victim_id"}
    ),
    ("DELETE", G + "/bans/{user_id}"): Route(
        guild_perm(P.BAN_MEMBERS), params={"user_id": "victim_id"}
    ),
    ("DELETE", C): Route(
        channel_perm(P.MANAGE_CHANNELS), params={"channel_id": "spare_channel_id"}
    ),
    # The last two run in the other order for the owner (see test_matrix).
    ("DELETE", G): Route(verdicts(**{n: NOT_OWNER for n in MEMBERS[:-1]})),
    ("DELETE", G + "/members/@me"): Route(verdicts(owner=Refused(400, "INVALID_INPUT"))),
}


@dataclass(frozen=True)
class SocketCase:
    expect: dict[str, Verdict]
    payload: Any  # (Setup) -> dict


def _room(s: Setup) -> dict[str, Any]:
    return {"room": s.world.room}


def _on(attr: str, **extra: Any) -> Any:
    return lambda s: {"room": s.world.room, "message_id": getattr(s.world, attr), **extra}


# Socket events of the members, in this order (join first: typing needs the room).
SOCKET: dict[str, SocketCase] = {
    "authenticate": SocketCase(guild_read(), lambda s: {"token": s.token}),
    "join_room": SocketCase(channel_read(), _room),
    "typing": SocketCase(channel_act(), _room),
    "stop_typing": SocketCase(channel_act(), _room),
    "send_message": SocketCase(channel_act(), lambda s: {**_room(s), "content": "hi"}),
    "add_reaction": SocketCase(channel_act(), _on("owner_message_id", emoji="🔥")),
    "remove_reaction": SocketCase(channel_read(), _on("owner_message_id", emoji="🔥")),
    "pin_message": SocketCase(channel_perm(P.MANAGE_MESSAGES), _on("plain_message_id")),
    "unpin_message": SocketCase(channel_perm(P.MANAGE_MESSAGES), _on("plain_message_id")),
    "ack_message": SocketCase(channel_read(), _on("owner_message_id")),
    # Answered per room (section 18): a room the caller may not see is an error there.
    "resume": SocketCase(
        channel_read(hidden=Refused(403, "INSUFFICIENT_PERMISSIONS")),
        lambda s: {"rooms": {s.world.room: 0}},
    ),
    "leave_room": SocketCase(guild_read(), _room),
}


# -- the guild every principal meets ----------------------------------------------------


@dataclass
class Setup:
    world: World
    clients: dict[str, Any]
    victim_id: int
    spare_channel_id: int
    spare_message_id: int
    spare_role_id: int
    token: str = ""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


async def build(make_user: Any) -> Setup:
    w = await build_world(make_user)
    owner, gid = w.owner, w.guild_id
    names = ("hidden", "timed", "overwrite", "moderator", "admin", "victim")
    users = {}
    for name in names:
        users[name] = await make_user(name)
        ok(await users[name].post(f"/api/invites/{w.invite_code}/join"))

    async def top_role(name: str, perms: int) -> dict[str, Any]:
        role = ok(
            await owner.post(
                f"/api/guilds/{gid}/roles", json={"name": name, "permissions": str(perms)}
            ),
            201,
        )
        roles = ok(await owner.get(f"/api/guilds/{gid}/roles"))
        highest = max(r["position"] for r in roles)
        ok(await owner.put(f"/api/guilds/{gid}/roles/{role['id']}", json={"position": highest}))
        ok(
            await owner.put(
                f"/api/guilds/{gid}/members/{users[name].user['id']}/roles/{role['id']}"
            )
        )
        return role

    await top_role("moderator", int(ALL & ~P.ADMINISTRATOR))
    await top_role("admin", int(P.ADMINISTRATOR))
    spare_role = ok(await owner.post(f"/api/guilds/{gid}/roles", json={"name": "spare"}), 201)
    spare = ok(await owner.post(f"/api/guilds/{gid}/channels", json={"name": "spare"}), 201)
    grant = int(P.MANAGE_MESSAGES | P.MANAGE_CHANNELS | P.MANAGE_ROLES)
    for cid in (w.channel_id, spare["id"]):
        base = f"/api/channels/{cid}/permissions"
        hidden_id, ow_id = users["hidden"].user["id"], users["overwrite"].user["id"]
        body = {"type": "member", "deny": str(int(P.VIEW_CHANNEL))}
        ok(await owner.put(f"{base}/{hidden_id}", json=body))
        ok(await owner.put(f"{base}/{ow_id}", json={"type": "member", "allow": str(grant)}))
    until = iso(utcnow() + timedelta(days=1))
    ok(
        await owner.put(
            f"/api/guilds/{gid}/members/{users['timed'].user['id']}",
            json={"communication_disabled_until": until},
        )
    )
    spare_msg = ok(
        await owner.post(f"/api/channels/{w.channel_id}/messages", json={"content": "spare"}),
        201,
    )
    clients = {"member": w.member, "outsider": w.outsider, "owner": owner, **users}
    return Setup(
        world=w,
        clients=clients,
        victim_id=users["victim"].user["id"],
        spare_channel_id=spare["id"],
        spare_message_id=spare_msg["id"],
        spare_role_id=spare_role["id"],
    )


# -- calling ----------------------------------------------------------------------------


def _security_verdict(method: str, path: str, principal: str) -> Verdict:
    """Anonymous and outsider verdicts come from the security matrix."""
    row = MATRIX[(method, path)]
    v = getattr(row, principal)
    if isinstance(v, Public | Allowed):
        return OK if (method == "GET" and (isinstance(v, Public) or v.probe)) else OWN
    return Refused(*v)


def expected(method: str, path: str, principal: str) -> Verdict:
    if principal in ("anonymous", "outsider"):
        return _security_verdict(method, path, principal)
    return REST[(method, path)].expect[principal]


def _body(route: Route, method: str, path: str) -> Any:
    raw = route.json if route.json is not None else MATRIX[(method, path)].json
    if isinstance(raw, dict):
        raw = {k: iso(utcnow() + timedelta(days=1)) if v == FUTURE else v for k, v in raw.items()}
    return raw


def problem_with(r: Any, verdict: Verdict, where: str) -> str | None:
    if verdict == OK:
        if 200 <= r.status_code < 300:
            return None
        return f"{where}: answered {r.status_code} {r.text[:300]}, expected 2xx"
    assert isinstance(verdict, Refused)
    try:
        body = r.json()
    except ValueError:
        return f"{where}: not JSON {r.status_code} {r.text[:200]}"
    got = (r.status_code, body.get("code"))
    if got != (verdict.status, verdict.code):
        return f"{where}: answered {got} {body}, expected {verdict}"
    if verdict.permission and (body.get("details") or {}).get("permission") != verdict.permission:
        return f"{where}: details {body.get('details')}, expected {verdict.permission}"
    return None


async def run_rest(
    rt: Any, s: Setup, principal: str, client: Any, routes: list[tuple[str, str]]
) -> list[str]:
    problems = []
    for method, path in routes:
        verdict = expected(method, path, principal)
        if verdict == OWN:
            continue
        route = REST[(method, path)]
        row = MATRIX[(method, path)]
        params = {k: (lambda w, a=a: getattr(s, a)) for k, a in route.params.items()}
        json_body = _body(route, method, path)
        row = type(row)(**{**row.__dict__, "json": json_body})
        before = await snapshot(rt) if verdict != OK else None
        r = await call(client, method, path, row, s.world, params=params)
        problem = problem_with(r, verdict, f"{principal} {method} {path}")
        if problem:
            problems.append(problem)
        if before is not None:
            changed = diff(before, await snapshot(rt))
            if changed:
                problems.append(f"{principal} {method} {path}: refused but changed {changed}")
    return problems


def _room_answer(ack: dict[str, Any], room: str) -> dict[str, Any]:
    """``resume``'s answer for one room, shaped like any other event's ack."""
    answer = (ack.get("rooms") or {}).get(room) or {}
    if answer.get("status") in ("resumed", "resync_required"):
        return {"ok": True}
    return {"ok": False, "code": answer.get("code"), "answer": ack}


async def run_socket(s: Setup, principal: str, probe: Any) -> list[str]:
    problems = []
    for event, case in SOCKET.items():
        verdict = case.expect[principal]
        ack = await probe.call(event, case.payload(s))
        if event == "resume":
            ack = _room_answer(ack, s.world.room)
        where = f"{principal} socket {event}"
        if verdict == OK:
            if ack.get("ok") is not True:
                problems.append(f"{where}: {ack}, expected ok")
            continue
        assert isinstance(verdict, Refused)
        details = ack.get("details") or {}
        if ack.get("ok") is not False or ack.get("code") != verdict.code:
            problems.append(f"{where}: {ack}, expected {verdict.code}")
        elif verdict.permission and details.get("permission") != verdict.permission:
            problems.append(f"{where}: {ack}, expected {verdict.permission}")
    return problems


# -- tests --------------------------------------------------------------------------------


class TestComplete:
    def test_every_route_has_a_row(self, app):
        routes = api_routes(app)
        assert routes - REST.keys() == set(), "add these routes to REST"
        assert REST.keys() - routes == set(), "these REST rows name no route"

    def test_every_socket_event_has_a_row(self):
        assert set(HANDLERS) == SOCKET.keys()

    def test_every_row_names_every_member_principal(self):
        for table in (REST, SOCKET):
            for key, row in table.items():
                assert set(row.expect) == set(MEMBERS), key


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_matrix(rt, make_user, anon, connect, principal):
    s = await build(make_user)
    client = anon() if principal == "anonymous" else s.clients[principal]
    problems = []
    # REST first but the destructive tail (it ends with the guild); sockets between.
    routes = list(REST)
    if principal == "owner":  # the owner cannot leave, then deletes the guild
        routes[-2:] = routes[-1:-3:-1]
    tail = routes.index(("PUT", G + "/members/{user_id}"))
    problems += await run_rest(rt, s, principal, client, routes[:tail])
    if principal not in ("anonymous", "outsider"):
        s.token = client.user["token"]
        probe = await connect(token=s.token)
        problems += await run_socket(s, principal, probe)
    problems += await run_rest(rt, s, principal, client, routes[tail:])
    assert not problems, "\n".join(problems)
