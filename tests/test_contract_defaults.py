"""The contract's defaults (API.md section 11), pinned: the rest of the suite turns
every limit off, so these tests run with the settings a fresh install has."""

from __future__ import annotations

from typing import Any

import pytest

from guildhall.config import Settings
from tests.conftest import NO_LIMITS, assert_error
from tests.files import samples
from tests.realtime.conftest import connect  # noqa: F401  (fixture)

MB = 1024 * 1024

# Sections 11 and 19, as the contract states each default.
CONTRACT = {
    "login_failure_limit": "10/15 minutes",
    "api_rate_limit": "100/minute",
    "socket_rate_limit": "60/minute",
    "upload_rate_limit": "10/minute",
    "message_rate_limit": "10/10 seconds",
    "friend_request_rate_limit": "10/minute",
    "max_message_length": 2000,
    "max_upload_bytes": 10 * MB,
    "max_emoji_bytes": 256 * 1024,
    "max_sticker_bytes": 512 * 1024,
    "max_friends": 1000,
    "max_guilds_per_user": 100,
    "max_channels_per_guild": 500,
    "max_messages_per_channel": 10000,
    "max_pins_per_channel": 50,
    "max_emojis_per_guild": 50,
}


def test_a_fresh_install_has_the_contracts_defaults():
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert {name: getattr(defaults, name) for name in CONTRACT} == CONTRACT


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Every rate limit back at its default (the suite's make_settings turns them off)."""
    return {name: CONTRACT[name] for name in NO_LIMITS}


class TestRateLimitsAtTheirDefaults:
    async def test_the_101st_api_request_in_a_minute_is_429(self, alice):
        # Registering alice was the first request from this address.
        answers = [(await alice.get("/api/me")).status_code for _ in range(99)]
        assert answers == [200] * 99
        r = await alice.get("/api/me")
        assert_error(r, 429, "RATE_LIMIT_EXCEEDED")
        assert r.headers["X-RateLimit-Limit"] == "100"
        assert int(r.headers["Retry-After"]) > 0

    async def test_the_11th_message_in_ten_seconds_is_429(self, alice):
        gid = (await alice.post("/api/guilds", json={"name": "g"})).json()["id"]
        cid = (await alice.post(f"/api/guilds/{gid}/channels", json={"name": "c"})).json()["id"]
        url = f"/api/channels/{cid}/messages"
        sent = [(await alice.post(url, json={"content": f"m{i}"})).status_code for i in range(10)]
        assert sent == [201] * 10
        assert_error(
            await alice.post(url, json={"content": "one too many"}), 429, "TOO_MANY_MESSAGES"
        )

    async def test_the_11th_friend_request_in_a_minute_is_429(self, alice, make_user):
        names = [f"friend{i}" for i in range(11)]
        for name in names:
            await make_user(name)
        answers = [
            (await alice.post("/api/friends/request", json={"to": n})).status_code
            for n in names[:10]
        ]
        assert answers == [200] * 10
        r = await alice.post("/api/friends/request", json={"to": names[10]})
        assert_error(r, 429, "TOO_MANY_FRIEND_REQUESTS")

    async def test_the_11th_upload_in_a_minute_is_429(self, alice):
        def upload() -> Any:
            return alice.post("/api/upload", files={"file": ("a.png", samples.png(), "image/png")})

        answers = [(await upload()).status_code for _ in range(10)]
        assert answers == [201] * 10
        assert_error(await upload(), 429, "RATE_LIMIT_EXCEEDED")

    async def test_the_61st_socket_event_in_a_minute_is_refused(self, alice, connect):  # noqa: F811
        gid = (await alice.post("/api/guilds", json={"name": "g"})).json()["id"]
        cid = (await alice.post(f"/api/guilds/{gid}/channels", json={"name": "c"})).json()["id"]
        room = f"g:{gid}:c:{cid}"
        probe = await connect(token=alice.user["token"])
        # Not joined: each is refused for that, and still counted.
        codes = {(await probe.call("typing", {"room": room}))["code"] for _ in range(60)}
        assert codes == {"NOT_CHANNEL_MEMBER"}
        ack = await probe.call("join_room", {"room": room})
        assert ack["ok"] is False and ack["code"] == "RATE_LIMIT_EXCEEDED", ack
