"""The per-IP API limit at the HTTP edge, and which address it counts."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


class TestApiRateLimit:
    @pytest.fixture
    def settings_overrides(self):
        return {"api_rate_limit": "3/minute"}

    async def test_fourth_request_in_a_minute_is_refused(self, anon):
        client = anon()
        remaining = []
        for url in ("/api/users", "/api/me", "/api/no-such-route"):  # 401, 401, 404: all count
            r = await client.get(url)
            assert r.status_code in (401, 404)
            assert r.headers["X-RateLimit-Limit"] == "3"
            assert int(r.headers["X-RateLimit-Reset"]) > 0
            assert "Retry-After" not in r.headers
            remaining.append(r.headers["X-RateLimit-Remaining"])
        assert remaining == ["2", "1", "0"]
        r = await client.get("/api/users")
        assert_error(r, 429, "RATE_LIMIT_EXCEEDED")
        assert int(r.headers["Retry-After"]) >= 1
        assert r.headers["X-RateLimit-Remaining"] == "0"
        # per IP, not per client: a fresh cookie jar from the same address is refused too
        assert_error(await anon().post("/api/login", json={}), 429, "RATE_LIMIT_EXCEEDED")

    async def test_only_api_paths_count(self, anon):
        client = anon()
        for _ in range(5):
            r = await client.get("/uploads/nothing-here.png")
            assert "X-RateLimit-Limit" not in r.headers
        assert (await client.get("/api/me")).headers["X-RateLimit-Remaining"] == "2"

    async def test_a_forged_forwarded_for_does_not_change_the_address(self, anon):
        client = anon()
        for i in range(3):
            r = await client.get("/api/me", headers={"X-Forwarded-For": f"203.0.113.{i}"})
            assert r.status_code == 401
        r = await client.get("/api/me", headers={"X-Forwarded-For": "198.51.100.7"})
        assert_error(r, 429, "RATE_LIMIT_EXCEEDED")


class TestTrustedProxy:
    @pytest.fixture
    def settings_overrides(self):
        return {"api_rate_limit": "3/minute", "trusted_proxies": "127.0.0.1"}

    async def test_forwarded_address_is_counted_behind_a_trusted_proxy(self, anon):
        client = anon()
        for _ in range(3):
            r = await client.get("/api/me", headers={"X-Forwarded-For": "203.0.113.5"})
            assert r.status_code == 401
        r = await client.get("/api/me", headers={"X-Forwarded-For": "203.0.113.5"})
        assert_error(r, 429, "RATE_LIMIT_EXCEEDED")
        # a client forging a left-hand hop is still counted as the address the proxy saw
        forged = {"X-Forwarded-For": "198.51.100.1, 203.0.113.5"}
        assert_error(await client.get("/api/me", headers=forged), 429, "RATE_LIMIT_EXCEEDED")
        # another client behind the same proxy has its own window
        r = await client.get("/api/me", headers={"X-Forwarded-For": "203.0.113.6"})
        assert r.status_code == 401 and r.headers["X-RateLimit-Remaining"] == "2"


class TestSpecificLimitsWithTheApiLimit:
    @pytest.fixture
    def settings_overrides(self):
        return {"api_rate_limit": "100/minute", "friend_request_rate_limit": "1/minute"}

    async def test_a_friend_request_429_carries_one_set_of_headers(self, alice, bob, carol):
        assert (await alice.post("/api/friends/request", json={"to": "bob"})).status_code == 200
        r = await alice.post("/api/friends/request", json={"to": "carol"})
        assert_error(r, 429, "TOO_MANY_FRIEND_REQUESTS")
        for name in (*RATE_HEADERS, "Retry-After"):
            assert len(r.headers.get_list(name)) == 1, name
        assert r.headers["X-RateLimit-Limit"] == "1"
        ok = await alice.get("/api/friends/status")
        assert ok.headers["X-RateLimit-Limit"] == "100"
