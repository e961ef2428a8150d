"""Every route, every kind of caller: who is let in, and that a refusal leaks and
changes nothing.

The matrix below is checked against the app's route table: a route added without
a row here fails ``TestMatrixIsComplete``, so nobody can add an endpoint without
deciding who may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.files import samples
from tests.security.routes import api_routes, route_table
from tests.security.world import SECRET, World, build_world, diff, leaks, snapshot


@dataclass(frozen=True)
class Public:
    """Reachable without signing in, on purpose."""

    reason: str


@dataclass(frozen=True)
class Allowed:
    """This caller may do it. ``probe``: a read that is called anyway, to check it
    shows the caller nothing of a guild it is not in."""

    reason: str
    probe: bool = False


Expect = tuple[int, str]
AUTH: Expect = (401, "AUTH_REQUIRED")
NOT_MEMBER: Expect = (403, "NOT_CHANNEL_MEMBER")
NOT_OWNER: Expect = (403, "NOT_GUILD_OWNER")
NO_PERMISSION: Expect = (403, "INSUFFICIENT_PERMISSIONS")
READ_ONLY: Expect = (403, "CHANNEL_READ_ONLY")

OWN_ACCOUNT = Allowed("the caller's own account, about no guild")
OWN_ACCOUNT_READ = Allowed("the caller's own account, about no guild", probe=True)
BETWEEN_USERS = Allowed("between users, about no guild")
MEMBER_READ = Allowed("members read their guild", probe=True)
MEMBER_ACT = Allowed("any member may do this (contract)")

Params = dict[str, Callable[[World], Any]]


@dataclass(frozen=True)
class Row:
    anonymous: Expect | Public = AUTH
    outsider: Expect | Allowed = NOT_MEMBER
    member: Expect | Allowed = MEMBER_ACT
    json: Any = None
    multipart: bool = False
    query: str = ""
    # Path parameters for the member row, when another target than the default
    # shows the refusal (a read-only channel, the owner's message).
    member_params: Params = field(default_factory=dict)


DEFAULT_PARAMS: Params = {
    "guild_id": lambda w: w.guild_id,
    "channel_id": lambda w: w.channel_id,
    "message_id": lambda w: w.owner_message_id,
    "code": lambda w: w.invite_code,
    "emoji": lambda w: "%F0%9F%91%8D",
    "emoji_id": lambda w: w.emoji_id,
    "sticker_id": lambda w: w.sticker_id,
    "poll_id": lambda w: w.poll_id,
    # Moderation targets the owner: a member is refused for the permission first.
    "user_id": lambda w: w.owner.user["id"],
    "role_id": lambda w: w.role_id,
    "target_id": lambda w: w.role_id,
}

G = "/api/guilds/{guild_id}"
C = "/api/channels/{channel_id}"
M = "/api/messages/{message_id}"

MATRIX: dict[tuple[str, str], Row] = {
    # -- accounts ----------------------------------------------------------------
    ("POST", "/api/register"): Row(
        anonymous=Public("how an account is made"), outsider=OWN_ACCOUNT, member=OWN_ACCOUNT
    ),
    ("POST", "/api/login"): Row(
        anonymous=Public("how a session is made"), outsider=OWN_ACCOUNT, member=OWN_ACCOUNT
    ),
    ("POST", "/api/logout"): Row(outsider=OWN_ACCOUNT, member=OWN_ACCOUNT),
    ("GET", "/api/me"): Row(outsider=OWN_ACCOUNT_READ, member=OWN_ACCOUNT_READ),
    ("POST", "/api/me/password"): Row(
        outsider=OWN_ACCOUNT,
        member=OWN_ACCOUNT,
        json={"old_password": "x" * 10, "new_password": "y" * 10},
    ),
    ("PUT", "/api/me"): Row(
        outsider=OWN_ACCOUNT, member=OWN_ACCOUNT, json={"display_name": "hacked"}
    ),
    ("POST", "/api/password-reset"): Row(
        anonymous=Public("whoever forgot a password has no session; same answer for any email"),
        outsider=OWN_ACCOUNT,
        member=OWN_ACCOUNT,
        json={"email": "owner@example.com"},
    ),
    ("POST", "/api/password-reset/confirm"): Row(
        anonymous=Public("the mailed single-use token is the credential"),
        outsider=OWN_ACCOUNT,
        member=OWN_ACCOUNT,
        json={"token": "forged", "new_password": "y" * 10},
    ),
    ("GET", "/api/openapi.json"): Row(
        anonymous=Public("the API's description, no data"),
        outsider=OWN_ACCOUNT_READ,
        member=OWN_ACCOUNT_READ,
    ),
    ("GET", "/api/docs"): Row(
        anonymous=Public("the API's documentation page, no data"),
        outsider=OWN_ACCOUNT_READ,
        member=OWN_ACCOUNT_READ,
    ),
    # -- users and friends -------------------------------------------------------
    ("GET", "/api/users"): Row(
        outsider=Allowed("the user directory is for every signed-in user", probe=True),
        member=Allowed("the user directory", probe=True),
    ),
    ("GET", "/api/search/users"): Row(
        outsider=Allowed("user search is for every signed-in user", probe=True),
        member=Allowed("user search", probe=True),
        query="?q=ow",
    ),
    ("POST", "/api/friends/request"): Row(
        outsider=BETWEEN_USERS, member=BETWEEN_USERS, json={"to": "owner"}
    ),
    ("POST", "/api/friends/accept"): Row(
        outsider=BETWEEN_USERS, member=BETWEEN_USERS, json={"from": "owner"}
    ),
    ("POST", "/api/friends/decline"): Row(
        outsider=BETWEEN_USERS, member=BETWEEN_USERS, json={"from": "owner"}
    ),
    ("POST", "/api/friends/cancel"): Row(
        outsider=BETWEEN_USERS, member=BETWEEN_USERS, json={"to": "owner"}
    ),
    ("POST", "/api/friends/remove"): Row(
        outsider=BETWEEN_USERS, member=BETWEEN_USERS, json={"username": "owner"}
    ),
    ("GET", "/api/friends/status"): Row(
        outsider=Allowed("the caller's own friends", probe=True),
        member=Allowed("the caller's own friends", probe=True),
    ),
    # -- guilds, members, invites ------------------------------------------------
    ("POST", "/api/guilds"): Row(
        outsider=Allowed("anyone may found a guild"),
        member=Allowed("anyone may found a guild"),
        json={"name": "new"},
    ),
    ("GET", "/api/guilds"): Row(
        outsider=Allowed("lists only the caller's own guilds", probe=True),
        member=Allowed("lists only the caller's own guilds", probe=True),
    ),
    ("GET", G): Row(member=MEMBER_READ),
    ("PUT", G): Row(member=NO_PERMISSION, json={"name": "hacked", "description": "hacked"}),
    ("DELETE", G): Row(member=NOT_OWNER),
    ("GET", G + "/members"): Row(member=MEMBER_READ),
    ("DELETE", G + "/members/@me"): Row(member=Allowed("every member but the owner may leave")),
    ("POST", G + "/invites"): Row(member=MEMBER_ACT, json={}),
    ("GET", G + "/invites"): Row(member=MEMBER_READ),
    ("GET", "/api/invites/{code}"): Row(
        anonymous=Public("a preview for whoever holds the code, as Discord's invite page"),
        outsider=Allowed("holding the code is the permission to see the preview"),
        member=Allowed("holding the code is the permission to see the preview"),
    ),
    ("POST", "/api/invites/{code}/join"): Row(
        outsider=Allowed("holding the code is the permission to join"),
        member=Allowed("a member joining again changes nothing"),
    ),
    ("DELETE", "/api/invites/{code}"): Row(member=NO_PERMISSION),
    # -- moderation and the audit log (section 14) ---------------------------------
    ("DELETE", G + "/members/{user_id}"): Row(member=NO_PERMISSION),
    ("PUT", G + "/members/{user_id}"): Row(
        member=NO_PERMISSION, json={"communication_disabled_until": None}
    ),
    ("GET", G + "/bans"): Row(member=NO_PERMISSION),
    ("PUT", G + "/bans/{user_id}"): Row(member=NO_PERMISSION, json={}),
    ("DELETE", G + "/bans/{user_id}"): Row(member=NO_PERMISSION),
    ("GET", G + "/audit-log"): Row(member=NO_PERMISSION),
    # -- channels ----------------------------------------------------------------
    ("POST", G + "/channels"): Row(member=NO_PERMISSION, json={"name": "hacked"}),
    ("GET", G + "/channels"): Row(member=MEMBER_READ),
    ("PUT", C): Row(member=NO_PERMISSION, json={"name": "hacked", "read_only": True}),
    ("DELETE", C): Row(member=NO_PERMISSION),
    ("PUT", C + "/permissions/{target_id}"): Row(
        member=NO_PERMISSION, json={"type": "role", "deny": "1024"}
    ),
    ("DELETE", C + "/permissions/{target_id}"): Row(member=NO_PERMISSION, query="?type=role"),
    # -- roles -------------------------------------------------------------------
    ("GET", G + "/roles"): Row(member=MEMBER_READ),
    ("POST", G + "/roles"): Row(member=NO_PERMISSION, json={"name": "hacked"}),
    ("PUT", G + "/roles/{role_id}"): Row(member=NO_PERMISSION, json={"name": "hacked"}),
    ("DELETE", G + "/roles/{role_id}"): Row(member=NO_PERMISSION),
    ("PUT", G + "/members/{user_id}/roles/{role_id}"): Row(member=NO_PERMISSION),
    ("DELETE", G + "/members/{user_id}/roles/{role_id}"): Row(member=NO_PERMISSION),
    # -- messages ----------------------------------------------------------------
    ("GET", C + "/messages"): Row(member=MEMBER_READ),
    ("POST", C + "/messages"): Row(
        member=READ_ONLY,
        json={"content": "hacked", "nonce": "n1"},
        member_params={"channel_id": lambda w: w.read_only_id},
    ),
    ("GET", C + "/pins"): Row(member=MEMBER_READ),
    ("PUT", M): Row(member=NO_PERMISSION, json={"content": "hacked"}),
    ("DELETE", M): Row(member=NO_PERMISSION),
    ("POST", M + "/pin"): Row(
        member=NO_PERMISSION, member_params={"message_id": lambda w: w.plain_message_id}
    ),
    ("POST", M + "/unpin"): Row(member=NO_PERMISSION),
    ("GET", M + "/edits"): Row(member=MEMBER_READ),
    ("PUT", M + "/reactions/{emoji}"): Row(member=MEMBER_ACT),
    ("DELETE", M + "/reactions/{emoji}"): Row(member=MEMBER_ACT),
    # -- read states (section 16) ---------------------------------------------------
    ("POST", C + "/ack"): Row(member=MEMBER_ACT, json={"message_id": 1}),
    ("GET", "/api/users/@me/read-states"): Row(
        outsider=Allowed("the caller's own read states, of channels it can see", probe=True),
        member=Allowed("the caller's own read states", probe=True),
    ),
    # -- DMs (section 15): between users; a guild channel is no DM ---------------
    ("POST", "/api/users/@me/channels"): Row(outsider=BETWEEN_USERS, member=BETWEEN_USERS),
    ("GET", "/api/users/@me/channels"): Row(
        outsider=Allowed("the caller's own DMs", probe=True),
        member=Allowed("the caller's own DMs", probe=True),
    ),
    # A member who sees the guild channel is told it is no group DM; others, 403.
    ("PUT", C + "/recipients/{user_id}"): Row(member=(400, "INVALID_INPUT")),
    ("DELETE", C + "/recipients/{user_id}"): Row(member=(400, "INVALID_INPUT")),
    # -- files, search -----------------------------------------------------------
    ("POST", "/api/upload"): Row(
        outsider=Allowed("an upload belongs to its uploader, not to a guild"),
        member=Allowed("an upload belongs to its uploader, not to a guild"),
        multipart=True,
    ),
    ("GET", "/api/search/messages"): Row(
        outsider=Allowed("searches only channels the caller can read", probe=True),
        member=Allowed("members search their guild", probe=True),
        query=f"?q={SECRET}",
    ),
    # -- emojis, stickers ----------------------------------------------------------
    ("GET", G + "/emojis"): Row(member=MEMBER_READ),
    ("POST", G + "/emojis"): Row(member=NO_PERMISSION, multipart=True),
    ("DELETE", "/api/emojis/{emoji_id}"): Row(member=NO_PERMISSION),
    ("GET", G + "/stickers"): Row(member=MEMBER_READ),
    ("POST", G + "/stickers"): Row(member=NO_PERMISSION, multipart=True),
    ("DELETE", "/api/stickers/{sticker_id}"): Row(member=NO_PERMISSION),
    # -- polls -------------------------------------------------------------------
    ("POST", M + "/poll"): Row(
        member=NO_PERMISSION,
        json={"question": "hacked?", "options": ["a", "b"]},
        member_params={"message_id": lambda w: w.plain_message_id},
    ),
    ("GET", M + "/poll"): Row(member=MEMBER_READ),
    ("POST", "/api/polls/{poll_id}/vote"): Row(member=MEMBER_ACT, json={"option_id": "2"}),
    ("DELETE", "/api/polls/{poll_id}/vote"): Row(member=MEMBER_ACT),
}

# Routes outside /api/: not behind a session at all, each for a reason.
NON_API: dict[tuple[str, str], str] = {
    ("GET", "/uploads/{path:path}"): "capability URL: the unguessable path is the permission",
    ("GET", "/healthz"): "liveness probe, no data",
    ("GET", "/readyz"): "readiness probe, no data",
    ("GET", "/metrics"): "Prometheus counters by route template, no user data",
    ("GET", "/docs/oauth2-redirect"): "FastAPI's static Swagger helper page",
    ("GET", "/{path:path}"): "the web client's static shell",
}


def url_for(path: str, world: World, overrides: Params | None = None) -> str:
    params = {**DEFAULT_PARAMS, **(overrides or {})}
    out = path
    for name, value in params.items():
        out = out.replace("{" + name + "}", str(value(world)))
    assert "{" not in out, f"no value for a parameter of {path}"
    return out


async def call(client: Any, method: str, path: str, row: Row, world: World, **kw: Any) -> Any:
    url = url_for(path, world, kw.pop("params", None)) + row.query
    if row.multipart:
        kw["files"] = {"file": ("x.png", samples.png(), "image/png")}
        kw["data"] = {"name": "hacked_name", "description": "hacked"}
    elif row.json is not None:
        kw["json"] = row.json
    return await client.request(method, url, **kw)


def refused_cleanly(r: Any, expect: Expect, world: World) -> str | None:
    """None when ``r`` is exactly the expected refusal and carries no guild data."""
    status, code = expect
    try:
        body = r.json()
    except ValueError:
        return f"not JSON: {r.status_code} {r.text[:200]}"
    if r.status_code != status or body.get("code") != code:
        return f"answered {r.status_code} {body.get('code')}, expected {status} {code}"
    if set(body) != {"error", "code", "details"}:
        return f"not the error shape: {sorted(body)}"
    leaked = leaks(r.text, world)
    return f"leaks {leaked}" if leaked else None


async def check_rows(
    rt: Any, world: World, client: Any, role: str, headers: dict[str, str] | None = None
) -> list[str]:
    """Call every route of the matrix as ``role``; returns what went wrong."""
    problems = []
    for (method, path), row in sorted(MATRIX.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        expect = getattr(row, role)
        params = row.member_params if role == "member" else None
        if isinstance(expect, Public):
            continue
        if isinstance(expect, Allowed) and not (expect.probe and method == "GET"):
            continue
        before = await snapshot(rt)
        r = await call(client, method, path, row, world, params=params, headers=headers)
        changed = diff(before, await snapshot(rt))
        where = f"{role} {method} {path}"
        if changed:
            problems.append(f"{where}: changed {changed}")
        if isinstance(expect, Allowed):
            if not 200 <= r.status_code < 300:
                problems.append(f"{where}: answered {r.status_code} {r.text[:200]}")
            if role == "outsider" and leaks(r.text, world):
                problems.append(f"{where}: shows a non-member {leaks(r.text, world)}")
            continue
        problem = refused_cleanly(r, expect, world)
        if problem:
            problems.append(f"{where}: {problem}")
    return problems


@pytest.fixture
async def world(make_user: Any) -> World:
    return await build_world(make_user)


class TestMatrixIsComplete:
    def test_every_api_route_has_a_row(self, app):
        routes = api_routes(app)
        assert routes - MATRIX.keys() == set(), "add these routes to MATRIX"
        assert MATRIX.keys() - routes == set(), "these MATRIX rows name no route"

    def test_every_other_route_is_listed_with_a_reason(self, app):
        others = route_table(app) - api_routes(app)
        assert others == NON_API.keys()
        assert all(NON_API.values())

    def test_every_public_or_allowed_entry_says_why(self):
        for row in MATRIX.values():
            for verdict in (row.anonymous, row.outsider, row.member):
                if isinstance(verdict, Public | Allowed):
                    assert verdict.reason.strip()


class TestAnonymous:
    async def test_every_private_route_answers_auth_required(self, rt, world, anon):
        assert await check_rows(rt, world, anon(), "anonymous") == []

    async def test_a_forged_session_or_token_is_anonymous(self, rt, world, anon):
        client = anon()
        client.cookies.set("session", "forged-" + "a" * 40)
        bogus = {"Authorization": "Bearer " + "b" * 43, "X-CSRF-Token": "c" * 43}
        assert await check_rows(rt, world, client, "anonymous", headers=bogus) == []

    async def test_a_logged_out_token_is_anonymous(self, rt, world, make_user):
        gone = await make_user("gone")
        token = gone.user["token"]
        assert (await gone.post("/api/logout")).status_code == 200
        client = gone  # its cookie jar was cleared by the logout; use the old token
        headers = {"Authorization": f"Bearer {token}"}
        assert await check_rows(rt, world, client, "anonymous", headers=headers) == []

    async def test_public_routes_answer_without_a_session(self, world, anon):
        client = anon()
        r = await client.get(f"/api/invites/{world.invite_code}")
        assert r.status_code == 200
        assert set(r.json()) >= {"code", "guild_id", "guild_name", "member_count", "expires_at"}
        assert (await client.get("/api/openapi.json")).status_code == 200
        r = await client.post("/api/login", json={"username": "owner", "password": "nope-nope"})
        assert r.status_code == 401 and r.json()["code"] == "INVALID_CREDENTIALS"


class TestNonMember:
    async def test_every_guild_route_answers_not_a_member(self, rt, world):
        assert await check_rows(rt, world, world.outsider, "outsider") == []

    async def test_the_same_refusals_over_a_bearer_token(self, rt, world, anon):
        client = anon()
        headers = {"Authorization": f"Bearer {world.outsider.user['token']}"}
        assert await check_rows(rt, world, client, "outsider", headers=headers) == []

    async def test_search_in_a_foreign_channel_shows_nothing(self, world):
        r = await world.outsider.get(
            f"/api/search/messages?q={SECRET}&channel_id={world.channel_id}"
        )
        assert r.status_code in (200, 403), r.text
        assert leaks(r.text, world) == []

    async def test_a_foreign_upload_cannot_be_attached(self, rt, world, make_user):
        r = await world.outsider.post("/api/guilds", json={"name": "own"})
        gid = r.json()["id"]
        r = await world.outsider.post(f"/api/guilds/{gid}/channels", json={"name": "c"})
        cid = r.json()["id"]
        before = await snapshot(rt)
        r = await world.outsider.post(
            f"/api/channels/{cid}/messages", json={"content": "x", "files": [world.upload_path]}
        )
        assert r.status_code == 400 and r.json()["code"] == "INVALID_INPUT", r.text
        assert r.json()["details"].get("field") == "files"
        assert leaks(r.text, world) == []
        assert diff(before, await snapshot(rt)) == {}


class TestMember:
    async def test_owner_and_author_actions_are_refused(self, rt, world):
        assert await check_rows(rt, world, world.member, "member") == []

    async def test_a_foreign_upload_cannot_be_attached(self, rt, world):
        before = await snapshot(rt)
        r = await world.member.post(
            f"/api/channels/{world.channel_id}/messages",
            json={"content": "x", "files": [world.upload_path]},
        )
        assert r.status_code == 400 and r.json()["code"] == "INVALID_INPUT", r.text
        assert diff(before, await snapshot(rt)) == {}

    async def test_a_message_id_from_another_channel_in_the_url_changes_nothing(self, rt, world):
        # Reactions and pins go by message id alone; the guild's membership decides.
        before = await snapshot(rt)
        r = await world.outsider.put(
            f"/api/messages/{world.member_message_id}/reactions/%F0%9F%91%8D"
        )
        assert refused_cleanly(r, NOT_MEMBER, world) is None
        assert diff(before, await snapshot(rt)) == {}


class TestCsrf:
    async def test_every_unsafe_route_needs_the_token_with_a_cookie(self, rt, world):
        """A cookie is ambient: without the CSRF header every unsafe call is refused
        before it does anything, whoever the caller is."""
        client = world.member
        csrf = client.cookies.get("csrf_token")
        problems = []
        for (method, path), row in sorted(MATRIX.items()):
            if method == "GET" or isinstance(row.anonymous, Public):
                continue
            before = await snapshot(rt)
            # The test client adds the header only when it is not already there.
            r = await call(client, method, path, row, world, headers={"X-CSRF-Token": ""})
            problem = refused_cleanly(r, (403, "INVALID_CSRF_TOKEN"), world)
            changed = diff(before, await snapshot(rt))
            if problem or changed:
                problems.append(f"{method} {path}: {problem or ''} {changed or ''}")
        assert client.cookies.get("csrf_token") == csrf
        assert problems == []
