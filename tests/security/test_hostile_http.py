"""Hostile HTTP: oversized heads and bodies, malformed and mistyped bodies on every
route that takes one, and the headers every answer must carry.

(A forged ``X-Forwarded-For`` from an untrusted peer is covered in
``tests/test_ratelimit.py``.)
"""

from __future__ import annotations

import socket
import subprocess
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import BACKEND, assert_error
from tests.e2e.conftest import (
    GUILDHALL,
    ServerProcess,
    _reset_postgres_sync,
    register,
    server_env,
)
from tests.security.routes import json_bodies, route_table
from tests.security.test_authorization_matrix import MATRIX, url_for
from tests.security.world import World, build_world, diff, snapshot

# One engine: oversized and malformed requests are refused before any query.
pytestmark = pytest.mark.one_engine

MB = 1024 * 1024


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


class Answer(bytes):
    """What came back on a raw connection; ``reset``: the server reset it (rather
    than closing it cleanly) before or while we read."""

    reset = False


def raw_request(port: int, head: bytes, timeout: float = 10) -> Answer:
    """Send ``head`` on a fresh connection; what came back before it closed (the
    server may reset the connection while we are still sending)."""
    reset = False
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(head)
        except (BrokenPipeError, ConnectionResetError):
            reset = True
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            reset = True
        except TimeoutError:
            # A server that neither answers nor closes has not refused anything.
            raise AssertionError(f"no answer and no close within {timeout} s") from None
    answer = Answer(b"".join(chunks))
    answer.reset = reset
    return answer


def refused_as_too_large(answer: Answer) -> bool:
    """A 431 with the contract's error body, or (when the server closed while we
    were still sending) a reset before any answer. A clean close with no answer
    is no refusal the contract knows, and a hang fails in raw_request."""
    if answer.startswith(b"HTTP/1.1 431 "):
        return b'"code":"INVALID_INPUT"' in answer
    return answer == b"" and answer.reset


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real ``guildhall serve`` for this module's attacks on its HTTP layer
    (starting one takes seconds; these tests only need it to survive)."""
    if BACKEND == "postgres":
        _reset_postgres_sync()
    folder = tmp_path_factory.mktemp("hostile") / "data"
    proc = ServerProcess(folder, server_env(folder))
    if BACKEND == "postgres":
        subprocess.run([GUILDHALL, "db", "upgrade"], env=proc.env, check=True, capture_output=True)
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


class TestHugeHeaders:
    """Against the real ``guildhall serve`` (its HTTP parser is what is attacked)."""

    def healthy(self, live: Any) -> None:
        assert requests.get(live.url + "/healthz", timeout=5).status_code == 200
        r = requests.get(live.url + "/api/me", timeout=5)
        assert r.status_code == 401 and r.json()["code"] == "AUTH_REQUIRED"

    def test_one_huge_header_is_refused_with_431(self, live):
        head = b"GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * MB + b"\r\n\r\n"
        answer = raw_request(live.port, head)
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
        assert b'"code":"INVALID_INPUT"' in answer
        assert b"x-content-type-options: nosniff" in answer.lower()
        self.healthy(live)

    def test_very_many_headers_are_refused(self, live):
        headers = b"".join(b"X-H%d: v\r\n" % i for i in range(100_000))
        answer = raw_request(live.port, b"GET /api/me HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        assert refused_as_too_large(answer), answer[:200]
        self.healthy(live)

    def test_a_huge_header_is_not_buffered(self, live):
        """Without a bound the parser holds the whole header in memory."""
        assert live.proc is not None
        before = rss_kb(live.proc.pid)
        head = b"GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (64 * MB)
        answer = raw_request(live.port, head)
        assert refused_as_too_large(answer), answer[:200]
        assert rss_kb(live.proc.pid) - before < 32 * 1024
        self.healthy(live)

    def test_a_big_but_reasonable_cookie_still_works(self, live):
        cookie = "; ".join(f"c{i}={'v' * 1000}" for i in range(30))  # ~30 KB
        r = requests.get(live.url + "/api/me", headers={"Cookie": cookie}, timeout=5)
        assert_error(r, 401, "AUTH_REQUIRED")


class TestChunkedBodyOverTheLimit:
    """A JSON body over 1 MB without a Content-Length is cut off while it is read."""

    @staticmethod
    def chunks(total: int) -> typing.Iterator[bytes]:
        yield b'{"content": "'
        sent = 0
        while sent < total:
            yield b"x" * 65536
            sent += 65536
        yield b'"}'

    def test_authenticated_send_gets_413_and_stores_nothing(self, live):
        s = register(live.url, "chunky")
        gid = s.post(f"{live.url}/api/guilds", json={"name": "g"}).json()["id"]
        cid = s.post(f"{live.url}/api/guilds/{gid}/channels", json={"name": "c"}).json()["id"]
        url = f"{live.url}/api/channels/{cid}/messages"
        # A generator body makes requests send it chunked, with no Content-Length.
        r = s.post(
            url, data=self.chunks(2 * MB), headers={"Content-Type": "application/json"}, timeout=30
        )
        assert "Content-Length" not in r.request.headers
        assert r.request.headers.get("Transfer-Encoding") == "chunked"
        assert_error(r, 413, "INVALID_INPUT")
        history = s.get(url, timeout=5).json()
        assert history["messages"] == []
        ok = s.post(url, json={"content": "still here"}, timeout=5)
        assert ok.status_code == 201, ok.text
        assert requests.get(live.url + "/healthz", timeout=5).status_code == 200

    def test_anonymous_register_gets_413(self, live):
        r = requests.post(
            f"{live.url}/api/register",
            data=self.chunks(2 * MB),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        assert_error(r, 413, "INVALID_INPUT")
        assert requests.get(live.url + "/healthz", timeout=5).status_code == 200


# -- bodies ----------------------------------------------------------------------

# ``KEY`` is replaced by the first field of the route's body (or "name").
MALFORMED: list[tuple[str, bytes]] = [
    ("truncated", b'{"KEY": "x"'),
    ("empty", b""),
    ("null", b"null"),
    ("array", b"[]"),
    ("string", b'"text"'),
    ("number", b"123"),
    ("nan", b'{"KEY": NaN}'),
    ("infinity", b'{"KEY": -Infinity}'),
    ("invalid utf-8", b'{"KEY": "\xff\xfe"}'),
    ("utf-8 encoded surrogate", b'{"KEY": "\xed\xa0\x80"}'),
    ("escaped lone surrogate", b'{"KEY": "a\\udc00b"}'),
    ("trailing garbage", b'{"KEY": "x"} {}'),
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000),
    ("huge exponent", b'{"KEY": 1e999999}'),
]

WRONG_TYPES: list[tuple[str, str, bytes]] = [
    ("text/plain", "text/plain", b'{"name": "x"}'),
    ("form", "application/x-www-form-urlencoded", b"name=x&content=y"),
    (
        "multipart",
        "multipart/form-data; boundary=zz",
        b'--zz\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--zz--\r\n',
    ),
    ("none", "", b'{"name": "x"}'),
    ("xml", "application/xml", b"<name>x</name>"),
]


def unsafe_routes(application: Any) -> list[tuple[str, str]]:
    routes = [(m, p) for m, p in route_table(application) if m in ("POST", "PUT", "PATCH")]
    # Logging out ends the caller's session: last.
    return sorted(routes, key=lambda mp: (mp[1] == "/api/logout", mp))


@pytest.fixture
async def world(make_user: Any) -> World:
    return await build_world(make_user)


async def post_raw(client: Any, method: str, url: str, body: bytes, ctype: str | None) -> Any:
    headers = {"Content-Type": ctype} if ctype else {}
    return await client.request(method, url, content=body, headers=headers)


def clean_error(r: Any) -> str | None:
    if r.status_code >= 500 or r.status_code == 422:
        return f"{r.status_code} {r.text[:200]}"
    if r.status_code >= 400:
        body = r.json()
        if set(body) != {"error", "code", "details"}:
            return f"not the error shape: {r.text[:200]}"
    return None


class TestMalformedBodies:
    async def test_every_unsafe_route_answers_malformed_json_with_400(self, app, rt, world):
        """As the guild's owner (so every check up to the body passes): a body that is
        not JSON, or not an object, is 400 INVALID_INPUT on a JSON route and never a
        500 anywhere; a refused body changes nothing."""
        bodies = json_bodies(app)
        problems = []
        for method, path in unsafe_routes(app):
            url = url_for(path, world)
            model = bodies.get((method, path))
            key = next(iter(model.model_fields), "name") if model else "name"
            for name, template in MALFORMED:
                body = template.replace(b"KEY", key.encode())
                before = await snapshot(rt)
                r = await post_raw(world.owner, method, url, body, "application/json")
                where = f"{method} {path} [{name}]"
                if problem := clean_error(r):
                    problems.append(f"{where}: {problem}")
                elif (method, path) in bodies and r.status_code != 400:
                    # An optional body (invites, bans) may take "null" / "" as absent.
                    optional = path.endswith(("/invites", "/bans/{user_id}"))
                    if not (optional and name in ("null", "empty")):
                        problems.append(f"{where}: {r.status_code} {r.text[:120]}")
                elif (method, path) in bodies and r.json()["code"] not in (
                    "INVALID_INPUT",
                    "MISSING_REQUIRED_FIELD",
                ):
                    problems.append(f"{where}: {r.text[:120]}")
                if r.status_code >= 400 and (changed := diff(before, await snapshot(rt))):
                    problems.append(f"{where}: refused but changed {changed}")
        assert problems == [], "\n".join(problems)

    async def test_wrong_content_types_never_500(self, app, rt, world):
        bodies = json_bodies(app)
        problems = []
        for method, path in unsafe_routes(app):
            url = url_for(path, world)
            for name, ctype, body in WRONG_TYPES:
                r = await post_raw(world.owner, method, url, body, ctype)
                where = f"{method} {path} [{name}]"
                if problem := clean_error(r):
                    problems.append(f"{where}: {problem}")
                elif (method, path) in bodies and r.status_code != 400:
                    # A route that takes a JSON body refuses any other: no 2xx.
                    problems.append(f"{where}: {r.status_code} {r.text[:120]}")
        assert problems == [], "\n".join(problems)

    async def test_register_and_login_accept_only_json(self, anon):
        client = anon()
        for path in ("/api/register", "/api/login"):
            body = b'{"username": "u1", "password": "password123", "email": "u1@example.com"}'
            r = await post_raw(client, "POST", path, body, "text/plain")
            assert_error(r, 400, "INVALID_INPUT")

    async def test_huge_integers_in_every_integer_field(self, app, rt, world):
        """Integers past 64 bits (and past any column) are refused, never a 500."""
        problems = []
        for (method, path), model in sorted(json_bodies(app).items()):
            fields = {
                name: info
                for name, info in model.model_fields.items()
                if "int" in str(info.annotation) or info.annotation is typing.Any
            }
            for name, info in fields.items():
                key = info.alias or name
                for value in (10**30, -(10**30), 2**63, -(2**63) - 1):
                    body = {**(MATRIX[(method, path)].json or {}), key: value}
                    r = await world.owner.request(method, url_for(path, world), json=body)
                    if problem := clean_error(r):
                        problems.append(f"{method} {path} {key}={value}: {problem}")
        assert problems == [], "\n".join(problems)


def of_its_type(annotation: Any, value: Any) -> bool:
    """Whether ``value`` is what a field of ``annotation`` takes (then it is no
    wrong type). A 100,000-character string counts as wrong for every field: no
    text field of the contract is that long."""
    kinds = set(typing.get_args(annotation)) or {annotation}
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, float):
        return float in kinds
    return False


class TestWrongTypesInBodies:
    async def test_every_field_of_every_body_refuses_wrong_types(self, app, rt, world):
        """Each field given an object, an array, a bool and a float: 400, never 500,
        nothing stored."""
        problems = []
        for (method, path), model in sorted(json_bodies(app).items()):
            base = MATRIX[(method, path)].json or {}
            for name, info in model.model_fields.items():
                key = info.alias or name
                for value in ({"$gt": ""}, [[1]], True, 1.5, "x" * 100_000):
                    if of_its_type(info.annotation, value):
                        continue  # a bool field given True is not a wrong type
                    before = await snapshot(rt)
                    body = {**base, key: value}
                    r = await world.owner.request(method, url_for(path, world), json=body)
                    where = f"{method} {path} {key}={str(value)[:20]}"
                    if problem := clean_error(r):
                        problems.append(f"{where}: {problem}")
                    elif r.status_code != 400 and not (
                        # A name no user has: the lookup's own refusal.
                        isinstance(value, str) and r.json()["code"] == "USER_NOT_FOUND"
                    ):
                        problems.append(f"{where}: {r.status_code}, not 400")
                    elif diff(before, await snapshot(rt)):
                        problems.append(f"{method} {path} {key}: refused but changed")
        assert problems == [], "\n".join(problems)


# -- headers on every answer -------------------------------------------------------


def security_header_problems(r: Any) -> list[str]:
    h = r.headers
    out = []
    csp = h.get("content-security-policy", "")
    if "frame-ancestors 'none'" not in csp:
        out.append(f"CSP without frame-ancestors 'none': {csp!r}")
    if h.get("x-content-type-options") != "nosniff":
        out.append("no X-Content-Type-Options: nosniff")
    if not h.get("referrer-policy"):
        out.append("no Referrer-Policy")
    cors = [k for k in h if k.lower().startswith("access-control-")]
    if r.request.url.path.startswith("/socket.io/"):
        # python-engineio adds a lone Allow-Credentials to every answer; without
        # Allow-Origin it grants nothing. The grant itself must not be there.
        cors = [k for k in cors if k.lower() != "access-control-allow-credentials"]
    if cors:
        out.append(f"CORS headers {cors}")
    return out


FOREIGN = {"Origin": "https://evil.example"}


class TestHeadersOnEveryAnswer:
    async def test_every_route_as_anonymous_and_as_a_member(self, app, world, anon):
        problems = []
        for client in (anon(), world.member):
            for method, path in sorted(route_table(app)):
                filled = path.replace("{path:path}", world.upload_path.removeprefix("uploads/"))
                if path == "/{path:path}":
                    filled = "/channels/1"
                if "{" in filled:
                    filled = url_for(filled, world)
                if method not in ("GET", "HEAD"):
                    continue  # unsafe calls are covered below without side effects
                r = await client.request(method, filled, headers=FOREIGN)
                problems += [
                    f"{method} {path} {r.status_code}: {p}" for p in security_header_problems(r)
                ]
        assert problems == [], "\n".join(problems)

    async def test_refusals_errors_and_preflights(self, app, world, anon):
        client = anon()
        answers = []
        for method, path in sorted(route_table(app)):
            url = url_for(path, world) if "{" in path and ":path" not in path else path
            # Anonymous unsafe calls: 401 (or the public ones' 400), no side effects.
            if method not in ("GET", "HEAD"):
                answers.append(await client.request(method, url, headers=FOREIGN, json={}))
            preflight = {
                **FOREIGN,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "x-csrf-token, content-type",
            }
            answers.append(await client.request("OPTIONS", url, headers=preflight))
        answers += [
            await client.get("/api/no-such-route"),
            await client.delete("/api/users"),  # 405
            await client.post(
                "/api/login", content=b"x" * (2 * MB), headers={"Content-Type": "application/json"}
            ),  # 413 at the edge
            await client.get("/socket.io/?EIO=4&transport=polling", headers=FOREIGN),
            await client.get("/uploads/no/such.png"),
        ]
        problems = [
            f"{r.request.method} {r.request.url.path} {r.status_code}: {p}"
            for r in answers
            for p in security_header_problems(r)
        ]
        assert problems == [], "\n".join(problems)
        assert all(r.status_code < 500 for r in answers)


class TestRateLimitedAnswer:
    @pytest.fixture
    def settings_overrides(self):
        return {"api_rate_limit": "1/minute"}

    async def test_a_429_carries_the_headers(self, anon):
        client = anon()
        await client.get("/api/me")
        r = await client.get("/api/me", headers=FOREIGN)
        assert r.status_code == 429
        assert security_header_problems(r) == []


class TestConfiguredOriginsAddNoRestCors:
    @pytest.fixture
    def settings_overrides(self):
        return {"allowed_origins": "https://chat.example"}

    async def test_rest_answers_carry_no_cors_headers_for_a_configured_origin(self, alice):
        """Allowed origins open socket handshakes; REST stays same-origin (cookies and
        the CSRF token are never offered to another site)."""
        r = await alice.get("/api/me", headers={"Origin": "https://chat.example"})
        assert r.status_code == 200
        assert [k for k in r.headers if k.lower().startswith("access-control-")] == []


class TestNothingChangesOnHostileInput:
    async def test_world_unchanged_after_a_barrage_of_garbage(self, app, rt, world, anon):
        before = await snapshot(rt)
        client = anon()
        for method, path in unsafe_routes(app):
            if path in ("/api/register", "/api/login"):
                continue
            for _, template in MALFORMED[:6]:
                body = template.replace(b"KEY", b"name")
                await post_raw(client, method, url_for(path, world), body, "application/json")
        assert diff(before, await snapshot(rt)) == {}
