"""Attack report: "No per-account login throttle: ~144k guesses a day per IP against
any account." Contract section 19: failed logins are counted per account, whatever
the client IP; past the limit every login to that account (right password included)
answers 429 RATE_LIMIT_EXCEEDED with Retry-After until the window passes."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from guildhall.config import Settings
from guildhall.ratelimit import Limit
from tests.conftest import PASSWORD, Client, assert_error

WRONG = "not the password"
BAD, LOCKED = "INVALID_CREDENTIALS", "RATE_LIMIT_EXCEEDED"


def client_from(app: Any, ip: str) -> Client:
    """A client at its own address: every guess below comes from a new IP."""
    return Client(
        transport=httpx.ASGITransport(app=app, client=(ip, 40000)),
        base_url="http://testserver",
    )


async def login(app: Any, ip: str, username: str, password: str) -> httpx.Response:
    async with client_from(app, ip) as c:
        return await c.post("/api/login", json={"username": username, "password": password})


class TestContractDefaults:
    def test_section_19_defaults(self):
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.login_failure_limit == "10/15 minutes"
        assert settings.session_idle_days == 30
        assert settings.max_sessions_per_user == 100
        item = Limit("login_failure", settings.login_failure_limit, None).item
        assert item is not None
        assert (item.amount, item.get_expiry()) == (10, 15 * 60)

    def test_off_disables_it(self):
        assert not Limit("login_failure", "off", None).enabled


class TestPerAccountFailureLimit:
    @pytest.fixture
    def settings_overrides(self):
        return {"login_failure_limit": "3/15 minutes"}

    async def test_guesses_from_many_addresses_lock_the_account(self, app, alice, bob):
        for i in range(3):
            r = await login(app, f"203.0.113.{i}", "alice", WRONG)
            assert_error(r, 401, BAD)
        # the fourth guess, from yet another address, is refused without a verdict
        r = await login(app, "198.51.100.1", "alice", WRONG)
        assert_error(r, 429, LOCKED)
        retry = int(r.headers["Retry-After"])
        assert 1 <= retry <= 15 * 60
        # the right password too: a guesser cannot tell it found it
        r = await login(app, "198.51.100.2", "alice", PASSWORD)
        assert_error(r, 429, LOCKED)
        assert 1 <= int(r.headers["Retry-After"]) <= 15 * 60
        # by email it is the same account, the same counter
        r = await login(app, "198.51.100.3", "ALICE@example.com", PASSWORD)
        assert_error(r, 429, LOCKED)
        # another account is untouched, from the attacker's own address too
        r = await login(app, "203.0.113.0", "bob", PASSWORD)
        assert r.status_code == 200, r.text
        # sessions alice already had keep working: only sign-ins are refused
        assert (await alice.get("/api/me")).status_code == 200

    async def test_username_and_email_share_one_counter(self, app, alice):
        for i, name in enumerate(("alice", "Alice@Example.com", "ALICE")):
            assert_error(await login(app, f"203.0.113.{i}", name, WRONG), 401, BAD)
        assert_error(await login(app, "203.0.113.9", "alice", PASSWORD), 429, LOCKED)

    async def test_successful_logins_do_not_count(self, app, alice):
        for i in range(5):
            r = await login(app, f"203.0.113.{i}", "alice", PASSWORD)
            assert r.status_code == 200, r.text
        for _ in range(2):
            assert_error(await login(app, "203.0.113.7", "alice", WRONG), 401, BAD)
        assert (await login(app, "203.0.113.8", "alice", PASSWORD)).status_code == 200

    async def test_an_unknown_name_answers_like_a_real_one(self, app, alice):
        """No oracle: a name nobody has is throttled the same way (its counter lives
        in the limiter's expiring storage under a fixed-size hash of the name)."""
        for i in range(3):
            r = await login(app, f"203.0.113.{i}", "nobody-here", WRONG)
            assert_error(r, 401, BAD)
        r = await login(app, "203.0.113.4", "NOBODY-HERE", WRONG)
        assert_error(r, 429, LOCKED)
        assert int(r.headers["Retry-After"]) >= 1

    async def test_concurrent_guesses_overshoot_by_at_most_the_hashing_slots(self, app, alice):
        """Guesses fired together are re-checked once they reach a hashing slot."""
        from guildhall.auth.passwords import HASHING_SLOTS

        results = await asyncio.gather(
            *(login(app, f"203.0.113.{i}", "alice", WRONG) for i in range(12))
        )
        statuses = [r.status_code for r in results]
        assert set(statuses) <= {401, 429}
        assert statuses.count(401) <= 3 + HASHING_SLOTS - 1, statuses
        assert statuses.count(429) >= 12 - (3 + HASHING_SLOTS - 1)

    async def test_wrong_old_passwords_count_against_the_same_account(self, app, alice):
        for _ in range(2):
            r = await alice.post(
                "/api/me/password", json={"old_password": WRONG, "new_password": "another pass 1"}
            )
            assert_error(r, 400, "INVALID_INPUT", field="old_password")
        assert_error(await login(app, "203.0.113.1", "alice", WRONG), 401, BAD)
        # three failures, wherever they came from: both doors are closed now
        r = await alice.post(
            "/api/me/password", json={"old_password": PASSWORD, "new_password": "another pass 1"}
        )
        assert_error(r, 429, LOCKED)
        assert int(r.headers["Retry-After"]) >= 1
        assert_error(await login(app, "203.0.113.2", "alice", PASSWORD), 429, LOCKED)
        # the refused change changed nothing
        assert (await alice.get("/api/me")).status_code == 200


class TestTheWindowPasses:
    @pytest.fixture
    def settings_overrides(self):
        return {"login_failure_limit": "2/2 seconds"}

    async def test_the_account_opens_again(self, app, alice):
        for _ in range(2):
            assert_error(await login(app, "203.0.113.1", "alice", WRONG), 401, BAD)
        r = await login(app, "203.0.113.2", "alice", PASSWORD)
        assert_error(r, 429, LOCKED)
        await asyncio.sleep(int(r.headers["Retry-After"]) + 0.2)
        assert (await login(app, "203.0.113.3", "alice", PASSWORD)).status_code == 200


class TestOff:
    @pytest.fixture
    def settings_overrides(self):
        return {"login_failure_limit": "off"}

    async def test_off_never_refuses(self, app, alice):
        for i in range(12):
            assert_error(await login(app, f"203.0.113.{i}", "alice", WRONG), 401, BAD)
        assert (await login(app, "203.0.113.99", "alice", PASSWORD)).status_code == 200
