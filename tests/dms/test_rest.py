"""Direct messages over REST (contract section 15): who may open one, the one
channel per pair, groups, and every message route inside a DM."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from guildhall.models import Channel, ChannelRecipient
from tests.conftest import assert_error
from tests.dms.conftest import befriend, open_dm, send, share_guild
from tests.messages.factories import make_upload


class TestOpen:
    async def test_friends_get_one_channel_from_either_side(self, alice, bob, captured_events):
        await befriend(alice, bob)
        dm = await open_dm(alice, bob)
        assert dm["type"] == "dm" and dm["guild_id"] is None and dm["name"] is None
        assert dm["owner_id"] is None and dm["last_message_id"] == 0
        assert sorted(r["id"] for r in dm["recipients"]) == sorted(
            [alice.user["id"], bob.user["id"]]
        )
        assert {"id", "username", "avatar"} <= set(dm["recipients"][0])
        assert (await open_dm(alice, bob))["id"] == dm["id"]
        assert (await open_dm(bob, alice))["id"] == dm["id"]
        created = captured_events.named("dm_channel_created")
        assert sorted(e.room for e in created) == sorted(
            [f"u:{alice.user['id']}", f"u:{bob.user['id']}"]
        )
        assert all(e.data["id"] == dm["id"] for e in created)
        joins = captured_events.named("@join_rooms")
        assert {e.room for e in joins} == {f"u:{alice.user['id']}", f"u:{bob.user['id']}"}
        assert all(e.data == {"rooms": [f"dm:{dm['id']}"]} for e in joins)

    async def test_guild_mates_may_open_a_dm(self, alice, bob):
        await share_guild(alice, bob)
        assert (await open_dm(bob, alice))["type"] == "dm"

    async def test_strangers_are_refused(self, alice, bob):
        r = await alice.post("/api/users/@me/channels", json={"recipient_id": bob.user["id"]})
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
        assert r.json()["details"] == {}

    async def test_pending_request_is_not_friendship(self, alice, bob):
        await alice.post("/api/friends/request", json={"to": "bob"})
        r = await alice.post("/api/users/@me/channels", json={"recipient_id": bob.user["id"]})
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")

    async def test_bad_input(self, alice):
        r = await alice.post("/api/users/@me/channels", json={})
        assert_error(r, 400, "MISSING_REQUIRED_FIELD", "recipient_id")
        r = await alice.post("/api/users/@me/channels", json={"recipient_id": "2"})
        assert_error(r, 400, "INVALID_INPUT")
        r = await alice.post("/api/users/@me/channels", json={"recipient_id": alice.user["id"]})
        assert_error(r, 400, "INVALID_INPUT", "recipient_id")
        r = await alice.post("/api/users/@me/channels", json={"recipient_id": 987654})
        assert_error(r, 404, "USER_NOT_FOUND")

    async def test_two_racing_first_calls_make_one_channel(self, rt, alice, bob):
        await befriend(alice, bob)
        results = await asyncio.gather(
            *(
                c.post("/api/users/@me/channels", json={"recipient_id": o.user["id"]})
                for c, o in [(alice, bob), (bob, alice), (alice, bob), (bob, alice)]
            )
        )
        assert [r.status_code for r in results] == [200] * 4, [r.text for r in results]
        assert len({r.json()["id"] for r in results}) == 1
        async with rt.transaction(write=False) as tx:
            channels = await tx.session.scalar(
                select(func.count()).select_from(Channel).where(Channel.type == "dm")
            )
            recipients = await tx.session.scalar(select(func.count()).select_from(ChannelRecipient))
        assert (channels, recipients) == (1, 2)


class TestList:
    async def test_most_recent_activity_first(self, alice, bob, carol):
        await befriend(alice, bob)
        await befriend(alice, carol)
        with_bob = await open_dm(alice, bob)
        with_carol = await open_dm(alice, carol)
        listed = (await alice.get("/api/users/@me/channels")).json()
        assert [c["id"] for c in listed] == [with_carol["id"], with_bob["id"]]  # newer first
        sent = await send(bob, with_bob["id"], "hi alice")
        listed = (await alice.get("/api/users/@me/channels")).json()
        assert [c["id"] for c in listed] == [with_bob["id"], with_carol["id"]]
        assert listed[0]["last_message_id"] == sent["id"]
        assert listed[0]["last_activity_at"] == sent["timestamp"]
        assert [c["id"] for c in (await carol.get("/api/users/@me/channels")).json()] == [
            with_carol["id"]
        ]


class TestMessagesInADm:
    async def test_send_history_edit_delete(self, alice, bob, carol):
        await befriend(alice, bob)
        dm = (await open_dm(alice, bob))["id"]
        m = await send(alice, dm, "hello bob")
        assert m["guild_id"] is None and m["channel_id"] == dm
        page = (await bob.get(f"/api/channels/{dm}/messages")).json()
        assert [x["content"] for x in page["messages"]] == ["hello bob"]
        r = await alice.put(f"/api/messages/{m['id']}", json={"content": "hello, bob"})
        assert r.status_code == 200 and r.json()["edited_at"]
        edits = (await bob.get(f"/api/messages/{m['id']}/edits")).json()
        assert [e["content"] for e in edits] == ["hello bob"]
        # Authors alone edit and delete theirs: no recipient manages messages.
        r = await bob.put(f"/api/messages/{m['id']}", json={"content": "mine now"})
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
        r = await bob.delete(f"/api/messages/{m['id']}")
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
        assert (await alice.delete(f"/api/messages/{m['id']}")).status_code == 200
        assert (await bob.get(f"/api/channels/{dm}/messages")).json()["messages"] == []

    async def test_any_recipient_pins_and_reacts(self, alice, bob):
        await befriend(alice, bob)
        dm = (await open_dm(alice, bob))["id"]
        m = await send(alice, dm, "pin me")
        r = await bob.post(f"/api/messages/{m['id']}/pin")
        assert r.status_code == 200
        pins = (await alice.get(f"/api/channels/{dm}/pins")).json()
        assert [p["id"] for p in pins] == [m["id"]]
        assert (await bob.post(f"/api/messages/{m['id']}/unpin")).status_code == 200
        r = await bob.put(f"/api/messages/{m['id']}/reactions/%F0%9F%91%8D")
        assert r.status_code == 200 and r.json()["reactions"][0]["users"] == ["bob"]
        r = await bob.put(f"/api/messages/{m['id']}/reactions/:party:")
        assert_error(r, 400, "INVALID_INPUT", "emoji")

    async def test_uploads_replies_mentions_and_polls(self, alice, bob):
        await befriend(alice, bob)
        dm = (await open_dm(alice, bob))["id"]
        up = await make_upload(alice, "cat.png")
        m = await send(alice, dm, "look", files=[up["path"]])
        assert m["files"][0]["filename"] == "cat.png"
        reply = await send(bob, dm, f"<@{alice.user['id']}> @everyone nice", reply_to=m["id"])
        assert reply["reply_to"]["id"] == m["id"]
        assert reply["mentions"] == [alice.user["id"]] and reply["mention_everyone"] is False
        r = await alice.post(
            f"/api/messages/{m['id']}/poll", json={"question": "Cat?", "options": ["yes", "no"]}
        )
        assert r.status_code == 201, r.text
        poll = r.json()
        r = await bob.post(f"/api/polls/{poll['id']}/vote", json={"option_id": "1"})
        assert r.status_code == 200 and r.json()["options"][0]["votes"] == 1

    async def test_non_recipients_see_nothing(self, alice, bob, carol):
        await befriend(alice, bob)
        await share_guild(carol, alice, bob)  # carol shares a guild with both
        dm = (await open_dm(alice, bob))["id"]
        m = await send(alice, dm, "secret plans")
        for r in [
            await carol.get(f"/api/channels/{dm}/messages"),
            await carol.get(f"/api/channels/{dm}/pins"),
            await carol.post(f"/api/channels/{dm}/messages", json={"content": "hi"}),
            await carol.put(f"/api/messages/{m['id']}", json={"content": "x"}),
            await carol.delete(f"/api/messages/{m['id']}"),
            await carol.post(f"/api/messages/{m['id']}/pin"),
            await carol.put(f"/api/messages/{m['id']}/reactions/%F0%9F%91%8D"),
            await carol.get(f"/api/messages/{m['id']}/edits"),
            await carol.post(f"/api/channels/{dm}/ack", json={"message_id": m["id"]}),
            await carol.put(f"/api/channels/{dm}", json={"name": "mine"}),
            await carol.delete(f"/api/channels/{dm}/recipients/{alice.user['id']}"),
            await carol.get("/api/search/messages", params={"channel_id": dm}),
        ]:
            assert_error(r, 403, "NOT_CHANNEL_MEMBER")
        hits = (await carol.get("/api/search/messages", params={"q": "secret"})).json()
        assert hits == []
        assert (await carol.get("/api/users/@me/channels")).json() == []
        states = (await carol.get("/api/users/@me/read-states")).json()
        assert dm not in [s["channel_id"] for s in states]
        assert_error(await carol.get("/api/channels/99999999/messages"), 404, "CHANNEL_NOT_FOUND")

    async def test_search_and_read_states_include_dms(self, alice, bob):
        await befriend(alice, bob)
        dm = (await open_dm(alice, bob))["id"]
        m = await send(alice, dm, "secret plans")
        hits = (await bob.get("/api/search/messages", params={"q": "secret"})).json()
        assert [(h["id"], h["guild_id"], h["channel_id"]) for h in hits] == [(m["id"], None, dm)]
        states = {s["channel_id"]: s for s in (await bob.get("/api/users/@me/read-states")).json()}
        assert states[dm]["guild_id"] is None and states[dm]["unread_count"] == 1
        r = await bob.post(f"/api/channels/{dm}/ack", json={"message_id": m["id"]})
        assert r.status_code == 200 and r.json()["last_read_id"] == m["id"]
        states = {s["channel_id"]: s for s in (await bob.get("/api/users/@me/read-states")).json()}
        assert states[dm]["unread_count"] == 0

    async def test_history_stays_but_sending_stops_when_no_longer_allowed(self, alice, bob):
        await befriend(alice, bob)
        dm = (await open_dm(alice, bob))["id"]
        await send(alice, dm, "before")
        assert (
            await alice.post("/api/friends/remove", json={"username": "bob"})
        ).status_code == 200
        page = (await bob.get(f"/api/channels/{dm}/messages")).json()
        assert [x["content"] for x in page["messages"]] == ["before"]
        r = await bob.post(f"/api/channels/{dm}/messages", json={"content": "after"})
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
        # Sharing a guild again lets them talk again.
        await share_guild(alice, bob)
        await send(bob, dm, "after")

    async def test_guild_settings_do_not_apply(self, alice, bob):
        await befriend(alice, bob)
        dm = (await open_dm(alice, bob))["id"]
        assert_error(await alice.delete(f"/api/channels/{dm}"), 403, "INSUFFICIENT_PERMISSIONS")
        r = await alice.put(f"/api/channels/{dm}", json={"name": "us"})
        assert_error(r, 400, "INVALID_INPUT")  # only a group has a name
        r = await alice.put(f"/api/channels/{dm}/recipients/{alice.user['id']}")
        assert_error(r, 400, "INVALID_INPUT")


class TestGroups:
    async def test_create_rename_add_leave(self, alice, bob, carol, make_user, captured_events):
        dave = await make_user("dave")
        for other in (bob, carol, dave):
            await befriend(alice, other)
        r = await alice.post(
            "/api/users/@me/channels", json={"recipient_ids": [bob.user["id"], carol.user["id"]]}
        )
        assert r.status_code == 201, r.text
        group = r.json()
        gid = group["id"]
        assert group["type"] == "group_dm" and group["owner_id"] == alice.user["id"]
        assert [u["username"] for u in group["recipients"]] == ["alice", "bob", "carol"]
        # Any recipient renames; the others hear it in the room.
        r = await carol.put(f"/api/channels/{gid}", json={"name": "Book club"})
        assert r.status_code == 200 and r.json()["name"] == "Book club"
        updated = captured_events.named("dm_channel_updated")
        assert updated[-1].room == f"dm:{gid}" and updated[-1].data["name"] == "Book club"
        # Only the owner adds, and only their friends.
        r = await bob.put(f"/api/channels/{gid}/recipients/{dave.user['id']}")
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
        eve = await make_user("eve")
        r = await alice.put(f"/api/channels/{gid}/recipients/{eve.user['id']}")
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
        r = await alice.put(f"/api/channels/{gid}/recipients/{dave.user['id']}")
        assert r.status_code == 200 and len(r.json()["recipients"]) == 4
        assert (await dave.get(f"/api/channels/{gid}/messages")).status_code == 200
        # Bob cannot remove others, but may leave.
        r = await bob.delete(f"/api/channels/{gid}/recipients/{carol.user['id']}")
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
        r = await bob.delete(f"/api/channels/{gid}/recipients/{bob.user['id']}")
        assert r.status_code == 200
        assert_error(await bob.get(f"/api/channels/{gid}/messages"), 403, "NOT_CHANNEL_MEMBER")
        assert (await bob.get("/api/users/@me/channels")).json() == []
        # The owner leaves: the earliest remaining recipient (carol) inherits.
        r = await alice.delete(f"/api/channels/{gid}/recipients/{alice.user['id']}")
        assert r.status_code == 200 and r.json()["owner_id"] == carol.user["id"]
        await send(carol, gid, "still here")
        # The last one out deletes the group.
        r = await carol.delete(f"/api/channels/{gid}/recipients/{dave.user['id']}")
        assert r.status_code == 200
        r = await carol.delete(f"/api/channels/{gid}/recipients/{carol.user['id']}")
        assert r.status_code == 200
        assert_error(await carol.get(f"/api/channels/{gid}/messages"), 404, "CHANNEL_NOT_FOUND")

    async def test_group_rules(self, alice, bob, carol, make_user):
        await befriend(alice, bob)
        r = await alice.post(
            "/api/users/@me/channels", json={"recipient_ids": [bob.user["id"], carol.user["id"]]}
        )
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")  # carol is no friend
        r = await alice.post("/api/users/@me/channels", json={"recipient_ids": []})
        assert_error(r, 400, "INVALID_INPUT", "recipient_ids")
        r = await alice.post("/api/users/@me/channels", json={"recipient_ids": [alice.user["id"]]})
        assert_error(r, 400, "INVALID_INPUT", "recipient_ids")
        r = await alice.post("/api/users/@me/channels", json={"recipient_ids": [424242]})
        assert_error(r, 404, "USER_NOT_FOUND")
        friends = [bob]
        for i in range(9):
            friend = await make_user(f"friend{i}")
            await befriend(alice, friend)
            friends.append(friend)
        ten = [f.user["id"] for f in friends]
        r = await alice.post("/api/users/@me/channels", json={"recipient_ids": ten})
        assert_error(r, 400, "INVALID_INPUT", "recipient_ids")  # 10 others: 11 people
        r = await alice.post("/api/users/@me/channels", json={"recipient_ids": ten[:9]})
        assert r.status_code == 201, r.text
        assert len(r.json()["recipients"]) == 10  # alice and nine others
        gid = r.json()["id"]
        r = await alice.put(f"/api/channels/{gid}/recipients/{ten[9]}")
        assert_error(r, 400, "LIMIT_REACHED")
        # Adding someone already there changes nothing.
        r = await alice.put(f"/api/channels/{gid}/recipients/{ten[0]}")
        assert r.status_code == 200 and len(r.json()["recipients"]) == 10
        r = await alice.delete(f"/api/channels/{gid}/recipients/{carol.user['id']}")
        assert_error(r, 404, "USER_NOT_FOUND")
