"""Users, friends, guilds, invites and channels over real HTTP against the real
``guildhall serve`` process, with ``requests`` as in the contract's Python example."""

from __future__ import annotations

import requests

from tests.e2e.conftest import register


def test_guild_invite_join_and_channels(live):
    base = live.url
    alice, bob, carol = (register(base, n) for n in ("alice", "bob", "carol"))

    r = alice.post(f"{base}/api/guilds", json={"name": "My Server"})
    assert r.status_code == 201
    guild = r.json()
    assert guild["name"] == "My Server" and guild["owner_id"] == alice.user["id"]
    gid = guild["id"]

    category = alice.post(
        f"{base}/api/guilds/{gid}/channels", json={"name": "Text", "type": "category"}
    ).json()
    general = alice.post(
        f"{base}/api/guilds/{gid}/channels",
        json={"name": "general", "type": "text", "category_id": category["id"]},
    )
    assert general.status_code == 201
    general = general.json()
    assert (general["position"], general["category_id"]) == (1, category["id"])
    voice = alice.post(f"{base}/api/guilds/{gid}/channels", json={"name": "talk", "type": "voice"})
    assert voice.status_code == 201

    r = alice.post(f"{base}/api/guilds/{gid}/invites", json={"expires_hours": 24, "max_uses": 10})
    assert r.status_code == 201
    invite = r.json()
    assert invite["max_uses"] == 10 and invite["uses"] == 0 and invite["expires_at"].endswith("Z")

    # anyone holding the code sees what it opens; bob cannot read the guild yet
    preview = requests.get(f"{base}/api/invites/{invite['code']}").json()
    assert preview["guild_name"] == "My Server" and preview["member_count"] == 1
    r = bob.get(f"{base}/api/guilds/{gid}/channels")
    assert r.status_code == 403 and r.json()["code"] == "NOT_CHANNEL_MEMBER"

    # the CSRF header is what lets a cookie session change anything
    r = requests.post(f"{base}/api/invites/{invite['code']}/join", cookies=bob.cookies.get_dict())
    assert r.status_code == 403 and r.json()["code"] == "INVALID_CSRF_TOKEN"

    r = bob.post(f"{base}/api/invites/{invite['code']}/join")
    assert r.status_code == 200
    assert r.json() == {"message": "Successfully joined guild", "guild_id": gid}

    channels = bob.get(f"{base}/api/guilds/{gid}/channels").json()
    assert [(c["name"], c["type"], c["position"]) for c in channels] == [
        ("Text", "category", 0),
        ("general", "text", 1),
        ("talk", "voice", 2),
    ]
    assert [g["id"] for g in bob.get(f"{base}/api/guilds").json()] == [gid]
    members = bob.get(f"{base}/api/guilds/{gid}/members").json()
    assert [m["username"] for m in members] == ["alice", "bob"]
    assert requests.get(f"{base}/api/invites/{invite['code']}").json()["member_count"] == 2

    # a member is not the owner; an outsider is not a member
    r = bob.put(f"{base}/api/channels/{general['id']}", json={"read_only": True})
    assert r.status_code == 403 and r.json()["code"] == "INSUFFICIENT_PERMISSIONS"
    r = carol.get(f"{base}/api/guilds/{gid}/channels")
    assert r.status_code == 403 and r.json()["code"] == "NOT_CHANNEL_MEMBER"
    r = carol.delete(f"{base}/api/guilds/{gid}")
    assert r.status_code == 403 and r.json()["code"] == "NOT_CHANNEL_MEMBER"

    r = alice.put(f"{base}/api/channels/{general['id']}", json={"read_only": True})
    assert r.status_code == 200 and r.json()["read_only"] is True
    r = alice.delete(f"{base}/api/guilds/{gid}")
    assert r.status_code == 200 and r.json() == {"message": "Guild deleted successfully"}
    r = bob.get(f"{base}/api/guilds/{gid}/channels")
    assert r.status_code == 404 and r.json()["code"] == "GUILD_NOT_FOUND"


def test_users_search_and_friends(live):
    base = live.url
    alice, bob = register(base, "alice"), register(base, "bob")

    users = alice.get(f"{base}/api/users").json()
    assert [u["username"] for u in users] == ["alice", "bob"]
    assert all("email" not in u for u in users)
    found = alice.get(f"{base}/api/search/users", params={"q": "BO"}).json()
    assert found == {
        "results": [{"username": "bob", "display_name": None, "avatar": None}],
        "count": 1,
    }

    r = alice.post(f"{base}/api/friends/request", json={"to": "bob"})
    assert r.json() == {"message": "Friend request sent"}
    assert bob.get(f"{base}/api/friends/status").json() == {
        "friends": [],
        "friend_users": [],
        "pending_in": ["alice"],
        "pending_out": [],
    }
    r = bob.post(f"{base}/api/friends/accept", json={"from": "alice"})
    assert r.json() == {"message": "Friend request accepted"}
    assert alice.get(f"{base}/api/friends/status").json()["friends"] == ["bob"]
    r = alice.post(f"{base}/api/friends/request", json={"to": "bob"})
    assert r.status_code == 409 and r.json()["code"] == "CONFLICT"
