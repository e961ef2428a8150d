from __future__ import annotations

import pytest

from guildhall.events import user_room
from guildhall.models import FriendRequest, Friendship
from tests.conftest import assert_error

NO_CSRF = {"X-CSRF-Token": ""}


async def status(client):
    r = await client.get("/api/friends/status")
    assert r.status_code == 200
    body = r.json()
    # Added: the friends as user shapes (ids for DMs), in the same order.
    users = body.pop("friend_users")
    assert [u["username"] for u in users] == body["friends"]
    assert all(set(u) == {"id", "username", "display_name", "avatar"} for u in users)
    return body


async def befriend(a, b):
    assert (
        await a.post("/api/friends/request", json={"to": b.user["username"]})
    ).status_code == 200
    r = await b.post("/api/friends/accept", json={"from": a.user["username"]})
    assert r.json() == {"message": "Friend request accepted"}


async def rows(rt, model):
    from sqlalchemy import select

    async with rt.transaction(write=False) as tx:
        return len((await tx.session.execute(select(model))).all())


def pushed(recorder, name):
    return [(e.room, e.data) for e in recorder.named(name)]


def told_both(sender, recipient):
    """The event pair a change pushes, as the server sends it (the recipient's room
    first): ``from``/``to`` as given, ``username`` the other side."""
    pair = {"from": sender.user["username"], "to": recipient.user["username"]}
    return [
        (user_room(recipient.user["id"]), {**pair, "username": sender.user["username"]}),
        (user_room(sender.user["id"]), {**pair, "username": recipient.user["username"]}),
    ]


def both_rooms(recorder, name, a, b):
    return {room for room, _ in pushed(recorder, name)} == {
        user_room(a.user["id"]),
        user_room(b.user["id"]),
    }


class TestSendRequest:
    async def test_sends_and_pushes_to_both(self, alice, bob, captured_events):
        r = await alice.post("/api/friends/request", json={"to": "bob"})
        assert r.status_code == 200 and r.json() == {"message": "Friend request sent"}
        assert await status(alice) == {"friends": [], "pending_in": [], "pending_out": ["bob"]}
        assert await status(bob) == {"friends": [], "pending_in": ["alice"], "pending_out": []}
        assert pushed(captured_events, "friend_request") == told_both(alice, bob)

    async def test_username_is_case_insensitive(self, alice, bob):
        r = await alice.post("/api/friends/request", json={"to": "BoB"})
        assert r.json() == {"message": "Friend request sent"}
        assert (await status(bob))["pending_in"] == ["alice"]

    async def test_mutual_request_becomes_friendship(self, rt, alice, bob, captured_events):
        await alice.post("/api/friends/request", json={"to": "bob"})
        r = await bob.post("/api/friends/request", json={"to": "alice"})
        assert r.status_code == 200 and r.json() == {"message": "Friend request accepted"}
        assert await status(alice) == {"friends": ["bob"], "pending_in": [], "pending_out": []}
        assert await status(bob) == {"friends": ["alice"], "pending_in": [], "pending_out": []}
        assert await rows(rt, Friendship) == 2 and await rows(rt, FriendRequest) == 0
        assert both_rooms(captured_events, "friend_accepted", alice, bob)

    async def test_to_yourself(self, alice):
        r = await alice.post("/api/friends/request", json={"to": "ALICE"})
        assert_error(r, 400, "INVALID_INPUT", "to")

    @pytest.mark.parametrize("name", ["nobody", "x" * 10000, "bad name!", ""])
    async def test_unknown_user(self, alice, name):
        r = await alice.post("/api/friends/request", json={"to": name})
        assert_error(r, 404, "USER_NOT_FOUND")

    async def test_already_requested_or_friends(self, alice, bob, carol):
        await alice.post("/api/friends/request", json={"to": "bob"})
        assert_error(await alice.post("/api/friends/request", json={"to": "bob"}), 409, "CONFLICT")
        await befriend(alice, carol)
        assert_error(
            await alice.post("/api/friends/request", json={"to": "carol"}), 409, "CONFLICT"
        )
        assert_error(
            await carol.post("/api/friends/request", json={"to": "alice"}), 409, "CONFLICT"
        )

    @pytest.mark.parametrize("body", [{"to": 5}, {"to": None}, {"to": ["bob"]}, {"to": True}])
    async def test_wrong_types(self, rt, alice, bob, body):
        assert_error(
            await alice.post("/api/friends/request", json=body), 400, "INVALID_INPUT", "to"
        )
        assert await rows(rt, FriendRequest) == 0

    async def test_missing_field_and_malformed_body(self, rt, alice, bob):
        r = await alice.post("/api/friends/request", json={"username": "bob"})
        assert_error(r, 400, "MISSING_REQUIRED_FIELD", "to")
        r = await alice.post(
            "/api/friends/request", content=b"{", headers={"content-type": "application/json"}
        )
        assert_error(r, 400, "INVALID_INPUT")
        assert_error(await alice.post("/api/friends/request", json=["bob"]), 400, "INVALID_INPUT")
        assert await rows(rt, FriendRequest) == 0

    async def test_needs_csrf_and_login(self, rt, anon, alice, bob):
        r = await alice.post("/api/friends/request", json={"to": "bob"}, headers=NO_CSRF)
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        assert_error(
            await anon().post("/api/friends/request", json={"to": "bob"}), 401, "AUTH_REQUIRED"
        )
        assert await rows(rt, FriendRequest) == 0


class TestAccept:
    async def test_accepts(self, alice, bob, captured_events):
        await alice.post("/api/friends/request", json={"to": "bob"})
        captured_events.clear()
        r = await bob.post("/api/friends/accept", json={"from": "ALICE"})
        assert r.status_code == 200 and r.json() == {"message": "Friend request accepted"}
        assert (await status(alice))["friends"] == ["bob"]
        assert (await status(bob))["friends"] == ["alice"]
        assert pushed(captured_events, "friend_accepted") == told_both(alice, bob)

    async def test_without_pending_request(self, alice, bob):
        assert_error(
            await bob.post("/api/friends/accept", json={"from": "alice"}),
            400,
            "INVALID_INPUT",
            "from",
        )
        # one's own outgoing request cannot be accepted by oneself
        await alice.post("/api/friends/request", json={"to": "bob"})
        assert_error(
            await alice.post("/api/friends/accept", json={"from": "bob"}), 400, "INVALID_INPUT"
        )

    async def test_already_friends(self, alice, bob):
        await befriend(alice, bob)
        assert_error(await bob.post("/api/friends/accept", json={"from": "alice"}), 409, "CONFLICT")

    async def test_needs_csrf(self, alice, bob):
        await alice.post("/api/friends/request", json={"to": "bob"})
        r = await bob.post("/api/friends/accept", json={"from": "alice"}, headers=NO_CSRF)
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        assert (await status(bob))["pending_in"] == ["alice"]


class TestDecline:
    async def test_declines_and_tells_both(self, rt, alice, bob, captured_events):
        await alice.post("/api/friends/request", json={"to": "bob"})
        captured_events.clear()
        r = await bob.post("/api/friends/decline", json={"from": "alice"})
        assert r.status_code == 200 and r.json() == {"message": "Friend request declined"}
        assert await status(alice) == {"friends": [], "pending_in": [], "pending_out": []}
        assert await status(bob) == {"friends": [], "pending_in": [], "pending_out": []}
        assert await rows(rt, Friendship) == 0
        assert both_rooms(captured_events, "friend_request_declined", alice, bob)

    async def test_without_pending_request(self, alice, bob):
        assert_error(
            await bob.post("/api/friends/decline", json={"from": "alice"}),
            400,
            "INVALID_INPUT",
            "from",
        )


class TestCancel:
    async def test_cancels_own_request(self, alice, bob, captured_events):
        await alice.post("/api/friends/request", json={"to": "bob"})
        captured_events.clear()
        r = await alice.post("/api/friends/cancel", json={"to": "bob"})
        assert r.status_code == 200 and r.json() == {"message": "Friend request cancelled"}
        assert (await status(bob))["pending_in"] == []
        assert (await status(alice))["pending_out"] == []
        assert both_rooms(captured_events, "friend_request_cancelled", alice, bob)
        # and it can be sent again
        assert (await alice.post("/api/friends/request", json={"to": "bob"})).status_code == 200

    async def test_cannot_cancel_an_incoming_request(self, alice, bob):
        await alice.post("/api/friends/request", json={"to": "bob"})
        assert_error(
            await bob.post("/api/friends/cancel", json={"to": "alice"}), 400, "INVALID_INPUT", "to"
        )
        assert (await status(bob))["pending_in"] == ["alice"]

    async def test_without_pending_request(self, alice, bob):
        assert_error(
            await alice.post("/api/friends/cancel", json={"to": "bob"}), 400, "INVALID_INPUT", "to"
        )


class TestRemove:
    async def test_removes_both_directions(self, rt, alice, bob, captured_events):
        await befriend(alice, bob)
        captured_events.clear()
        r = await bob.post("/api/friends/remove", json={"username": "alice"})
        assert r.status_code == 200 and r.json() == {"message": "Friend removed"}
        assert (await status(alice))["friends"] == [] and (await status(bob))["friends"] == []
        assert await rows(rt, Friendship) == 0
        assert pushed(captured_events, "friend_removed") == told_both(bob, alice)

    async def test_not_friends(self, alice, bob):
        assert_error(
            await alice.post("/api/friends/remove", json={"username": "bob"}),
            400,
            "INVALID_INPUT",
            "username",
        )

    async def test_needs_csrf(self, alice, bob):
        await befriend(alice, bob)
        r = await alice.post("/api/friends/remove", json={"username": "bob"}, headers=NO_CSRF)
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        assert (await status(alice))["friends"] == ["bob"]


@pytest.mark.parametrize(
    ("action", "field"),
    [("accept", "from"), ("decline", "from"), ("cancel", "to"), ("remove", "username")],
)
class TestNamingTheOtherUser:
    """What every action but a request (TestSendRequest) checks of the user it names."""

    async def test_unknown_user(self, alice, action, field):
        r = await alice.post(f"/api/friends/{action}", json={field: "ghost"})
        assert_error(r, 404, "USER_NOT_FOUND")

    async def test_yourself(self, alice, action, field):
        r = await alice.post(f"/api/friends/{action}", json={field: "alice"})
        assert_error(r, 400, "INVALID_INPUT", field)

    @pytest.mark.parametrize("body", [{}, {"user": "bob"}])
    async def test_missing_field(self, alice, bob, action, field, body):
        r = await alice.post(f"/api/friends/{action}", json=body)
        assert_error(r, 400, "MISSING_REQUIRED_FIELD", field)

    async def test_not_a_string(self, alice, action, field):
        r = await alice.post(f"/api/friends/{action}", json={field: 1})
        assert_error(r, 400, "INVALID_INPUT", field)


class TestStatus:
    async def test_sorted_usernames(self, make_user, alice):
        others = {n: await make_user(n) for n in ["Zoe", "bob", "Carl", "dave", "erin", "Ann"]}
        await befriend(alice, others["Zoe"])
        await befriend(others["bob"], alice)
        await others["dave"].post("/api/friends/request", json={"to": "alice"})
        await others["Carl"].post("/api/friends/request", json={"to": "alice"})
        await alice.post("/api/friends/request", json={"to": "erin"})
        await alice.post("/api/friends/request", json={"to": "Ann"})
        assert await status(alice) == {
            "friends": ["bob", "Zoe"],
            "pending_in": ["Carl", "dave"],
            "pending_out": ["Ann", "erin"],
        }

    async def test_anonymous_refused(self, anon):
        assert_error(await anon().get("/api/friends/status"), 401, "AUTH_REQUIRED")


class TestFriendLimit:
    @pytest.fixture
    def settings_overrides(self):
        return {"max_friends": 1}

    async def test_request_and_accept_respect_the_limit(self, alice, bob, carol):
        await befriend(alice, bob)
        r = await alice.post("/api/friends/request", json={"to": "carol"})
        assert_error(r, 400, "LIMIT_REACHED")
        # carol may ask, but alice (full) cannot accept, nor can carol's mutual request
        assert (await carol.post("/api/friends/request", json={"to": "alice"})).status_code == 200
        assert_error(
            await alice.post("/api/friends/accept", json={"from": "carol"}), 400, "LIMIT_REACHED"
        )
        assert (await status(alice))["friends"] == ["bob"]
        assert (await status(alice))["pending_in"] == ["carol"]

    async def test_accepting_checks_the_requester_too(self, alice, bob, carol):
        await alice.post("/api/friends/request", json={"to": "carol"})
        await befriend(alice, bob)  # alice is now full, her request to carol still pending
        assert_error(
            await carol.post("/api/friends/accept", json={"from": "alice"}), 400, "LIMIT_REACHED"
        )
        assert (await status(carol))["friends"] == []


class TestFriendRequestRateLimit:
    @pytest.fixture
    def settings_overrides(self):
        return {"friend_request_rate_limit": "2/minute"}

    async def test_third_request_in_a_minute_is_refused(self, make_user, alice):
        for name in ["bob", "carol"]:
            await make_user(name)
            assert (await alice.post("/api/friends/request", json={"to": name})).status_code == 200
        await make_user("dave")
        r = await alice.post("/api/friends/request", json={"to": "dave"})
        assert_error(r, 429, "TOO_MANY_FRIEND_REQUESTS")
        assert int(r.headers["Retry-After"]) >= 1
        assert r.headers["X-RateLimit-Limit"] == "2"
        assert r.headers["X-RateLimit-Remaining"] == "0"
        assert int(r.headers["X-RateLimit-Reset"]) > 0
        assert (await status(alice))["pending_out"] == ["bob", "carol"]

    async def test_limit_is_per_user(self, alice, bob, carol):
        await alice.post("/api/friends/request", json={"to": "bob"})
        await alice.post("/api/friends/request", json={"to": "carol"})
        assert (await bob.post("/api/friends/request", json={"to": "carol"})).status_code == 200
