from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, assert_error


class TestRegister:
    async def test_returns_user_and_signs_in(self, anon):
        c = anon()
        r = await c.post(
            "/api/register",
            json={"username": "alice", "password": PASSWORD, "email": "a@example.com"},
        )
        assert r.status_code == 201
        body = r.json()
        assert body["username"] == "alice" and body["email"] == "a@example.com"
        assert isinstance(body["id"], int) and body["created_at"].endswith("Z")
        assert body["token"] and body["csrf_token"] == c.cookies["csrf_token"]
        assert "HttpOnly" in r.headers.get_list("set-cookie")[0]
        me = await c.get("/api/me")
        assert me.status_code == 200 and me.json()["username"] == "alice"

    @pytest.mark.parametrize("field", ["username", "password", "email"])
    async def test_missing_field(self, anon, field):
        body = {"username": "alice", "password": PASSWORD, "email": "a@example.com"}
        del body[field]
        assert_error(
            await anon().post("/api/register", json=body), 400, "MISSING_REQUIRED_FIELD", field
        )

    @pytest.mark.parametrize(
        ("username", "email", "password", "code"),
        [
            ("a", "a@example.com", PASSWORD, "INVALID_INPUT"),
            ("x" * 33, "a@example.com", PASSWORD, "INVALID_INPUT"),
            ("bad name", "a@example.com", PASSWORD, "INVALID_INPUT"),
            ("alice", "not-an-email", PASSWORD, "INVALID_EMAIL"),
            ("alice", "a@example.com", "short", "WEAK_PASSWORD"),
            ("alice", "a@example.com", "x" * 129, "WEAK_PASSWORD"),
            ("alice12345", "a@example.com", "alice12345", "WEAK_PASSWORD"),
        ],
    )
    async def test_rules(self, anon, username, email, password, code):
        r = await anon().post(
            "/api/register", json={"username": username, "password": password, "email": email}
        )
        assert_error(r, 400, code)

    async def test_duplicates_case_insensitive(self, anon, alice):
        r = await anon().post(
            "/api/register",
            json={"username": "ALICE", "password": PASSWORD, "email": "new@example.com"},
        )
        assert_error(r, 400, "USER_ALREADY_EXISTS")
        r = await anon().post(
            "/api/register",
            json={"username": "alice2", "password": PASSWORD, "email": "ALICE@example.com"},
        )
        assert_error(r, 400, "USER_ALREADY_EXISTS")

    async def test_wrong_types_and_malformed_json(self, anon):
        assert_error(
            await anon().post(
                "/api/register", json={"username": 5, "password": PASSWORD, "email": "a@b.co"}
            ),
            400,
            "INVALID_INPUT",
            "username",
        )
        r = await anon().post(
            "/api/register", content=b'{"username":', headers={"content-type": "application/json"}
        )
        assert_error(r, 400, "INVALID_INPUT")
        r = await anon().post("/api/register", json=["not", "an", "object"])
        assert_error(r, 400, "INVALID_INPUT")

    async def test_form_body_refused(self, anon):
        r = await anon().post(
            "/api/register", data={"username": "alice", "password": PASSWORD, "email": "a@b.co"}
        )
        assert_error(r, 400, "INVALID_INPUT")


class TestLogin:
    async def test_by_username_or_email(self, anon, alice):
        for login in ("alice", "ALICE", "alice@example.com"):
            c = anon()
            r = await c.post("/api/login", json={"username": login, "password": PASSWORD})
            assert r.status_code == 200
            body = r.json()
            assert body["id"] == alice.user["id"] and body["email"] == "alice@example.com"
            assert body["token"] and body["csrf_token"]

    async def test_same_answer_for_wrong_user_and_wrong_password(self, anon, alice):
        a = await anon().post(
            "/api/login", json={"username": "alice", "password": "wrong password"}
        )
        b = await anon().post(
            "/api/login", json={"username": "nobody", "password": "wrong password"}
        )
        assert_error(a, 401, "INVALID_CREDENTIALS")
        assert_error(b, 401, "INVALID_CREDENTIALS")
        assert a.json() == b.json()

    async def test_each_login_is_a_fresh_session(self, anon, alice):
        tokens = set()
        for _ in range(2):
            r = await anon().post("/api/login", json={"username": "alice", "password": PASSWORD})
            tokens.add(r.json()["token"])
        assert len(tokens) == 2


class TestSessionsAndCsrf:
    async def test_anonymous_is_refused(self, anon):
        assert_error(await anon().get("/api/me"), 401, "AUTH_REQUIRED")
        assert_error(await anon().post("/api/logout"), 401, "AUTH_REQUIRED")

    async def test_unsafe_method_needs_csrf(self, alice):
        r = await alice.post("/api/logout", headers={"X-CSRF-Token": "wrong"})
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        r = await alice.post("/api/logout", headers={"X-CSRF-Token": ""})
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        assert (await alice.get("/api/me")).status_code == 200

    async def test_bearer_needs_no_csrf(self, anon, alice):
        bearer = anon()
        r = await bearer.post(
            "/api/logout", headers={"Authorization": f"Bearer {alice.user['token']}"}
        )
        assert r.status_code == 200
        assert r.json() == {"message": "Successfully logged out"}
        # The session is gone server-side: the cookie no longer works either.
        assert_error(await alice.get("/api/me"), 401, "AUTH_REQUIRED")

    async def test_logout_destroys_session(self, alice, anon):
        token = alice.user["token"]
        assert (await alice.post("/api/logout")).status_code == 200
        r = await anon().get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert_error(r, 401, "AUTH_REQUIRED")


class TestPasswordChange:
    async def test_ends_other_sessions_and_keeps_current(self, anon, alice):
        other = anon()
        await other.post("/api/login", json={"username": "alice", "password": PASSWORD})
        r = await alice.post(
            "/api/me/password", json={"old_password": PASSWORD, "new_password": "a new password"}
        )
        assert r.status_code == 200 and r.json()["message"] == "Password changed"
        assert (await alice.get("/api/me")).status_code == 200
        assert_error(await other.get("/api/me"), 401, "AUTH_REQUIRED")
        login = await anon().post(
            "/api/login", json={"username": "alice", "password": "a new password"}
        )
        assert login.status_code == 200

    async def test_wrong_old_password(self, alice):
        r = await alice.post(
            "/api/me/password", json={"old_password": "nope nope", "new_password": "a new password"}
        )
        assert_error(r, 400, "INVALID_INPUT", "old_password")

    async def test_weak_new_password(self, alice):
        r = await alice.post(
            "/api/me/password", json={"old_password": PASSWORD, "new_password": "short"}
        )
        assert_error(r, 400, "WEAK_PASSWORD")


class TestRealServer:
    async def test_served_over_real_socket(self, server):
        import httpx

        async with httpx.AsyncClient(base_url=server) as c:
            r = await c.post(
                "/api/register",
                json={"username": "dora", "password": PASSWORD, "email": "d@example.com"},
            )
            assert r.status_code == 201
            assert (await c.get("/api/me")).json()["username"] == "dora"
