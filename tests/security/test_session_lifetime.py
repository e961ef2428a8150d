"""Contract section 19: sessions end after ``GUILDHALL_SESSION_IDLE_DAYS`` (default 30)
days without use; a user has at most 100 sessions (the oldest ends first). A stolen
token from a forgotten device must not stay valid forever, and a script logging in
in a loop must not grow the sessions table without end."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from guildhall.kit.ids import hash_token, new_token
from guildhall.kit.time import utcnow
from guildhall.models import Session
from tests.conftest import PASSWORD, assert_error
from tests.realtime.conftest import WAIT, connect  # noqa: F401  (fixture)


async def set_last_used(rt: Any, token: str, ago: timedelta) -> None:
    async with rt.transaction() as tx:
        await tx.session.execute(
            update(Session)
            .where(Session.token_hash == hash_token(token))
            .values(last_used_at=utcnow() - ago)
        )


async def last_used(rt: Any, token: str) -> Any:
    async with rt.transaction(write=False) as tx:
        return (
            await tx.session.execute(
                select(Session.last_used_at).where(Session.token_hash == hash_token(token))
            )
        ).scalar_one_or_none()


async def session_count(rt: Any, user_id: int) -> int:
    async with rt.transaction(write=False) as tx:
        return (
            await tx.session.execute(
                select(func.count()).select_from(Session).where(Session.user_id == user_id)
            )
        ).scalar_one()


async def log_in(anon: Any, username: str = "alice") -> str:
    r = await anon().post("/api/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestIdleSessionsEnd:
    async def test_a_session_idle_past_30_days_is_refused_by_cookie_and_bearer(
        self, rt, anon, alice
    ):
        token = alice.user["token"]
        await set_last_used(rt, token, timedelta(days=30, minutes=1))
        assert_error(await alice.get("/api/me"), 401, "AUTH_REQUIRED")
        assert_error(await anon().get("/api/me", headers=bearer(token)), 401, "AUTH_REQUIRED")
        # a fresh login works, and ends the dead row
        fresh = await log_in(anon)
        assert (await anon().get("/api/me", headers=bearer(fresh))).status_code == 200
        assert await last_used(rt, token) is None

    async def test_a_session_used_within_30_days_lives_and_is_refreshed(self, rt, anon, alice):
        token = alice.user["token"]
        await set_last_used(rt, token, timedelta(days=29, hours=23))
        assert (await anon().get("/api/me", headers=bearer(token))).status_code == 200
        # the use counts: the idle clock starts again from now
        assert utcnow() - await last_used(rt, token) < timedelta(minutes=1)

    async def test_cookie_use_refreshes_the_same_way(self, rt, alice):
        token = alice.user["token"]
        await set_last_used(rt, token, timedelta(days=3))
        assert (await alice.get("/api/me")).status_code == 200
        assert utcnow() - await last_used(rt, token) < timedelta(minutes=1)

    async def test_recent_use_is_not_written_again(self, rt, anon, alice):
        """At most one write an hour per session: a request is not a write."""
        token = alice.user["token"]
        await set_last_used(rt, token, timedelta(minutes=50))
        before = await last_used(rt, token)
        for _ in range(3):
            assert (await anon().get("/api/me", headers=bearer(token))).status_code == 200
        assert await last_used(rt, token) == before

    async def test_a_socket_with_an_idle_session_is_refused(
        self,
        rt,
        server,
        connect,  # noqa: F811
        alice,
    ):
        token = alice.user["token"]
        await set_last_used(rt, token, timedelta(days=31))
        probe = await connect(token=token)
        assert rt.realtime.sockets.get(probe.sid) is None  # not signed in
        ack = await probe.call("authenticate", {"token": token})
        assert ack["ok"] is False and ack["code"] == "AUTH_REQUIRED"
        probe2 = await connect(cookie=token)
        assert rt.realtime.sockets.get(probe2.sid) is None


class TestIdleDaysSetting:
    @pytest.fixture
    def settings_overrides(self):
        return {"session_idle_days": 2}

    async def test_the_setting_moves_the_limit(self, rt, anon, alice, bob):
        await set_last_used(rt, alice.user["token"], timedelta(days=2, minutes=1))
        await set_last_used(rt, bob.user["token"], timedelta(days=1, hours=23))
        assert_error(await alice.get("/api/me"), 401, "AUTH_REQUIRED")
        assert (await bob.get("/api/me")).status_code == 200


class TestSessionCap:
    @pytest.fixture
    def settings_overrides(self):
        return {"max_sessions_per_user": 3}

    async def test_the_oldest_session_ends_first(
        self,
        rt,
        server,
        connect,  # noqa: F811
        anon,
        alice,
    ):
        first = alice.user["token"]
        socket = await connect(token=first)
        assert rt.realtime.sockets.get(socket.sid) is not None
        second, third = await log_in(anon), await log_in(anon)
        assert await session_count(rt, alice.user["id"]) == 3
        fourth = await log_in(anon)
        assert await session_count(rt, alice.user["id"]) == 3
        assert_error(await anon().get("/api/me", headers=bearer(first)), 401, "AUTH_REQUIRED")
        for token in (second, third, fourth):
            assert (await anon().get("/api/me", headers=bearer(token))).status_code == 200
        # the ended session's socket is closed, like after a logout
        async with asyncio.timeout(WAIT):
            await socket.disconnected.wait()

    async def test_idle_sessions_go_before_live_ones(self, rt, anon, alice):
        first = alice.user["token"]
        second = await log_in(anon)
        third = await log_in(anon)
        await set_last_used(rt, second, timedelta(days=31))
        fourth = await log_in(anon)
        # the dead one made the room: the oldest live one is kept
        for token in (first, third, fourth):
            assert (await anon().get("/api/me", headers=bearer(token))).status_code == 200
        assert await session_count(rt, alice.user["id"]) == 3


class TestDefaultCap:
    async def test_a_user_keeps_at_most_100_sessions(self, rt, anon, alice):
        """The contract's default, with 99 more sessions written directly (logging
        in 100 times would only measure Argon2)."""
        uid = alice.user["id"]
        async with rt.transaction() as tx:
            tx.session.add_all(
                Session(token_hash=hash_token(new_token()), csrf_token="x", user_id=uid)
                for _ in range(99)
            )
        assert await session_count(rt, uid) == 100
        newest = await log_in(anon)
        assert await session_count(rt, uid) == 100
        assert_error(await alice.get("/api/me"), 401, "AUTH_REQUIRED")  # the first one ended
        assert (await anon().get("/api/me", headers=bearer(newest))).status_code == 200
