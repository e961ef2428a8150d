"""The per-account login throttle against the real ``guildhall serve``: guesses from
many client addresses (behind a trusted proxy, the way a deployment sees them), and
across two nodes sharing Redis, are one account's counter."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import BACKEND, PASSWORD
from tests.e2e.conftest import register, spawn_server  # noqa: F401  (fixture)

LIMIT = {"GUILDHALL_LOGIN_FAILURE_LIMIT": "3/15 minutes", "GUILDHALL_TRUSTED_PROXIES": "127.0.0.1"}


def attempt(base: str, ip: str, password: str) -> requests.Response:
    return requests.post(
        f"{base}/api/login",
        json={"username": "victim", "password": password},
        headers={"X-Forwarded-For": ip},
        timeout=30,
    )


class TestOnTheRealServer:
    def test_guesses_from_many_addresses_lock_one_account(self, spawn_server):  # noqa: F811
        srv = spawn_server(**LIMIT)
        register(srv.url, "victim")
        answers = [attempt(srv.url, f"203.0.113.{i}", "wrong wrong").status_code for i in range(5)]
        assert answers == [401, 401, 401, 429, 429]
        r = attempt(srv.url, "198.51.100.1", PASSWORD)
        assert r.status_code == 429 and r.json()["code"] == "RATE_LIMIT_EXCEEDED"
        assert 1 <= int(r.headers["Retry-After"]) <= 15 * 60

    @pytest.mark.skipif(BACKEND != "postgres", reason="two nodes need PostgreSQL + Redis")
    def test_two_nodes_count_one_window(self, spawn_server):  # noqa: F811
        n1, n2 = spawn_server(**LIMIT), spawn_server(**LIMIT)
        register(n1.url, "victim")
        answers = [
            attempt((n1, n2)[i % 2].url, f"203.0.113.{i}", "wrong wrong").status_code
            for i in range(4)
        ]
        assert answers == [401, 401, 401, 429]
        assert attempt(n2.url, "198.51.100.1", PASSWORD).status_code == 429
