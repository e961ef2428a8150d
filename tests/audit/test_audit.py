"""The audit log through the real app: one entry per audited change, written in the
change's transaction; the reason header; the read's permission, filters, paging
and cap; the 90-day retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import update

from guildhall.audit import service as audit
from guildhall.channels import service as channel_service
from guildhall.models import AuditLogEntry, Ban, Channel
from tests.conftest import assert_error
from tests.files import samples
from tests.guilds.helpers import count, create_channel
from tests.moderation.helpers import assert_missing, guild_with

REASON = "X-Audit-Log-Reason"


async def log(client, gid, query=""):
    r = await client.get(f"/api/guilds/{gid}/audit-log{query}")
    assert r.status_code == 200, r.text
    return r.json()["entries"]


async def newest(client, gid):
    entries = await log(client, gid)
    assert entries, "no audit entry"
    return entries[0]


class TestEveryChangeIsRecorded:
    async def test_channels(self, alice):
        gid = await guild_with(alice)
        ch = await create_channel(alice, gid, name="talk")
        entry = await newest(alice, gid)
        assert entry["action"] == "channel_create"
        assert entry["user_id"] == alice.user["id"]
        assert entry["target_id"] == ch["id"]
        assert entry["guild_id"] == gid
        assert {"key": "name", "old": None, "new": "talk"} in entry["changes"]
        assert entry["reason"] is None
        assert entry["created_at"].endswith("Z")

        r = await alice.put(f"/api/channels/{ch['id']}", json={"name": "chat", "read_only": True})
        assert r.status_code == 200, r.text
        entry = await newest(alice, gid)
        assert entry["action"] == "channel_update"
        assert sorted(entry["changes"], key=lambda c: c["key"]) == [
            {"key": "name", "old": "talk", "new": "chat"},
            {"key": "read_only", "old": False, "new": True},
        ]
        # A change that changes nothing records nothing.
        r = await alice.put(f"/api/channels/{ch['id']}", json={"name": "chat"})
        assert r.status_code == 200, r.text
        assert (await newest(alice, gid))["id"] == entry["id"]

        assert (await alice.delete(f"/api/channels/{ch['id']}")).status_code == 200
        entry = await newest(alice, gid)
        assert entry["action"] == "channel_delete"
        assert entry["target_id"] == ch["id"]
        assert {"key": "name", "old": "chat", "new": None} in entry["changes"]

    async def test_messages_deleted_by_another_and_pins(self, alice, bob):
        gid = await guild_with(alice, bob)
        ch = await create_channel(alice, gid)
        url = f"/api/channels/{ch['id']}/messages"
        own = (await bob.post(url, json={"content": "mine"})).json()["id"]
        other = (await bob.post(url, json={"content": "moderated"})).json()["id"]
        before = await newest(alice, gid)

        assert (await bob.delete(f"/api/messages/{own}")).status_code == 200
        assert (await newest(alice, gid))["id"] == before["id"], "own deletion is not audited"

        assert (await alice.post(f"/api/messages/{other}/pin")).status_code == 200
        pin = await newest(alice, gid)
        assert (pin["action"], pin["target_id"]) == ("message_pin", other)
        assert pin["changes"] == [{"key": "pinned", "old": False, "new": True}]
        assert (await alice.post(f"/api/messages/{other}/unpin")).status_code == 200
        unpin = await newest(alice, gid)
        assert (unpin["action"], unpin["target_id"]) == ("message_unpin", other)
        assert (await alice.delete(f"/api/messages/{other}")).status_code == 200
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"], entry["user_id"]) == (
            "message_delete",
            other,
            alice.user["id"],
        )
        assert {"key": "author_id", "old": bob.user["id"], "new": None} in entry["changes"]

    async def test_invites(self, alice):
        gid = await guild_with(alice)
        r = await alice.post(f"/api/guilds/{gid}/invites", json={"max_uses": 5})
        code = r.json()["code"]
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"]) == ("invite_create", code)
        assert {"key": "max_uses", "old": None, "new": 5} in entry["changes"]
        assert (await alice.delete(f"/api/invites/{code}")).status_code == 200
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"]) == ("invite_delete", code)

    async def test_emojis_and_stickers(self, alice):
        gid = await guild_with(alice)
        r = await alice.post(
            f"/api/guilds/{gid}/emojis",
            data={"name": "smile"},
            files={"file": ("e.png", samples.png(), "image/png")},
            headers={REASON: "for fun"},
        )
        assert r.status_code == 201, r.text
        emoji = r.json()["id"]
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"], entry["reason"]) == (
            "emoji_create",
            emoji,
            "for fun",
        )
        assert entry["changes"] == [{"key": "name", "old": None, "new": "smile"}]
        assert (await alice.delete(f"/api/emojis/{emoji}")).status_code == 200
        assert (await newest(alice, gid))["action"] == "emoji_delete"

        r = await alice.post(
            f"/api/guilds/{gid}/stickers",
            data={"name": "wave"},
            files={"file": ("s.png", samples.png(), "image/png")},
        )
        assert r.status_code == 201, r.text
        sticker = r.json()["id"]
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"]) == ("sticker_create", sticker)
        assert (await alice.delete(f"/api/stickers/{sticker}")).status_code == 200
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"]) == ("sticker_delete", sticker)
        assert entry["changes"] == [{"key": "name", "old": "wave", "new": None}]

    async def test_moderation(self, alice, bob, carol):
        gid = await guild_with(alice, bob, carol)
        bid, cid = bob.user["id"], carol.user["id"]
        assert (await alice.delete(f"/api/guilds/{gid}/members/{cid}")).status_code == 200
        kick = await newest(alice, gid)
        assert (kick["action"], kick["target_id"], kick["changes"]) == ("member_kick", cid, [])

        until = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        body = {"communication_disabled_until": until}
        r = await alice.put(f"/api/guilds/{gid}/members/{bid}", json=body)
        assert r.status_code == 200, r.text
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"]) == ("member_timeout", bid)
        assert entry["changes"] == [
            {
                "key": "communication_disabled_until",
                "old": None,
                "new": r.json()["communication_disabled_until"],
            }
        ]

        r = await alice.put(
            f"/api/guilds/{gid}/bans/{bid}",
            json={"reason": "body reason", "delete_message_seconds": 60},
        )
        assert r.status_code == 200, r.text
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"], entry["reason"]) == (
            "member_ban_add",
            bid,
            "body reason",
        )
        assert entry["changes"] == [{"key": "delete_message_seconds", "old": None, "new": 60}]
        assert (await alice.delete(f"/api/guilds/{gid}/bans/{bid}")).status_code == 200
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"]) == ("member_ban_remove", bid)

    async def test_roles_member_roles_and_overwrites(self, alice, bob):
        gid = await guild_with(alice, bob)
        bid = bob.user["id"]
        r = await alice.post(f"/api/guilds/{gid}/roles", json={"name": "mods", "hoist": True})
        assert r.status_code == 201, r.text
        role = r.json()
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"]) == ("role_create", role["id"])
        assert {"key": "name", "old": None, "new": "mods"} in entry["changes"]
        assert {"key": "hoist", "old": None, "new": True} in entry["changes"]

        url = f"/api/guilds/{gid}/roles/{role['id']}"
        r = await alice.put(url, json={"name": "moderators", "permissions": "8192"})
        assert r.status_code == 200, r.text
        entry = await newest(alice, gid)
        assert entry["action"] == "role_update"
        assert sorted(entry["changes"], key=lambda c: c["key"]) == [
            {"key": "name", "old": "mods", "new": "moderators"},
            {"key": "permissions", "old": "0", "new": "8192"},
        ]
        r = await alice.put(url, json={"name": "moderators"})  # no change: no entry
        assert r.status_code == 200, r.text
        assert (await newest(alice, gid))["id"] == entry["id"]

        member_url = f"/api/guilds/{gid}/members/{bid}/roles/{role['id']}"
        assert (await alice.put(member_url)).status_code == 200
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"]) == ("member_role_update", bid)
        held = [{"id": role["id"], "name": "moderators"}]
        assert entry["changes"] == [{"key": "$add", "old": None, "new": held}]
        assert (await alice.put(member_url)).status_code == 200  # held already
        assert (await newest(alice, gid))["id"] == entry["id"]
        assert (await alice.delete(member_url)).status_code == 200
        entry = await newest(alice, gid)
        assert entry["changes"] == [{"key": "$remove", "old": None, "new": held}]

        ch = await create_channel(alice, gid, name="staff")
        ow_url = f"/api/channels/{ch['id']}/permissions/{role['id']}"
        r = await alice.put(ow_url, json={"type": "role", "allow": "1024"})
        assert r.status_code == 200, r.text
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"]) == ("channel_overwrite_update", ch["id"])
        made = {"id": role["id"], "type": "role", "allow": "1024", "deny": "0"}
        assert entry["changes"] == [{"key": "overwrite", "old": None, "new": made}]
        assert (await alice.delete(ow_url + "?type=role")).status_code == 200
        entry = await newest(alice, gid)
        assert entry["changes"] == [{"key": "overwrite", "old": made, "new": None}]

        assert (await alice.delete(url)).status_code == 200
        entry = await newest(alice, gid)
        assert (entry["action"], entry["target_id"]) == ("role_delete", role["id"])
        assert {"key": "name", "old": "moderators", "new": None} in entry["changes"]

    async def test_lifting_no_timeout_records_nothing(self, alice, bob):
        gid = await guild_with(alice, bob)
        before = await log(alice, gid)
        url = f"/api/guilds/{gid}/members/{bob.user['id']}"
        r = await alice.put(url, json={"communication_disabled_until": None})
        assert r.status_code == 200, r.text
        assert await log(alice, gid) == before

    async def test_refused_changes_record_nothing(self, rt, alice, bob):
        gid = await guild_with(alice, bob)
        ch = await create_channel(alice, gid)
        entries = await count(rt, AuditLogEntry)
        r = await alice.delete(f"/api/guilds/{gid}/members/{alice.user['id']}")
        assert r.status_code == 403
        assert (await bob.put(f"/api/channels/{ch['id']}", json={"name": "x"})).status_code == 403
        assert (await alice.put(f"/api/channels/{ch['id']}", json={"name": ""})).status_code == 400
        assert await count(rt, AuditLogEntry) == entries


class TestSameTransaction:
    async def test_a_change_failing_after_its_entry_leaves_neither(self, rt, alice, monkeypatch):
        gid = await guild_with(alice)
        entries = await count(rt, AuditLogEntry)

        def broken(_: int) -> str:  # fails after the entry was written, before commit
            raise RuntimeError("boom")

        monkeypatch.setattr(channel_service, "guild_room", broken)
        with pytest.raises(RuntimeError):  # the test transport re-raises after the 500
            await alice.post(f"/api/guilds/{gid}/channels", json={"name": "doomed"})
        assert await count(rt, Channel, Channel.guild_id == gid) == 0
        assert await count(rt, AuditLogEntry) == entries

    async def test_a_ban_and_its_entry_commit_together(self, rt, alice, bob, monkeypatch):
        gid = await guild_with(alice, bob)
        entries = await count(rt, AuditLogEntry)
        original = audit.record

        async def failing(tx, *args, **kwargs):
            await original(tx, *args, **kwargs)
            raise RuntimeError("boom")

        monkeypatch.setattr(audit, "record", failing)
        with pytest.raises(RuntimeError):
            await alice.put(f"/api/guilds/{gid}/bans/{bob.user['id']}")
        assert await count(rt, Ban) == 0
        assert await count(rt, AuditLogEntry) == entries
        members = (await alice.get(f"/api/guilds/{gid}/members")).json()
        assert bob.user["id"] in {m["id"] for m in members}


class TestReasonHeader:
    async def test_url_encoded_unicode(self, alice):
        gid = await guild_with(alice)
        reason = "Спам и флуд 🚫 / 100%"
        r = await alice.post(
            f"/api/guilds/{gid}/channels", json={"name": "c"}, headers={REASON: quote(reason)}
        )
        assert r.status_code == 201, r.text
        assert (await newest(alice, gid))["reason"] == reason

    async def test_a_ban_without_a_body_reason_keeps_the_header(self, alice, bob):
        gid = await guild_with(alice, bob)
        r = await alice.put(
            f"/api/guilds/{gid}/bans/{bob.user['id']}", headers={REASON: quote("raid")}
        )
        assert r.status_code == 200, r.text
        assert (await alice.get(f"/api/guilds/{gid}/bans")).json()[0]["reason"] == "raid"
        assert (await newest(alice, gid))["reason"] == "raid"

    async def test_512_characters_after_decoding_is_the_most(self, rt, alice):
        gid = await guild_with(alice)
        longest = "я" * 512  # 1024 bytes, 3072 characters encoded
        r = await alice.post(
            f"/api/guilds/{gid}/channels", json={"name": "ok"}, headers={REASON: quote(longest)}
        )
        assert r.status_code == 201, r.text
        assert (await newest(alice, gid))["reason"] == longest
        channels = await count(rt, Channel)
        entries = await count(rt, AuditLogEntry)
        for bad in (quote("я" * 513), "%FF%FE", quote("a\x00b")):
            r = await alice.post(
                f"/api/guilds/{gid}/channels", json={"name": "no"}, headers={REASON: bad}
            )
            assert_error(r, 400, "INVALID_INPUT", REASON)
        assert await count(rt, Channel) == channels
        assert await count(rt, AuditLogEntry) == entries


class TestRead:
    async def test_permission(self, alice, bob, carol):
        gid = await guild_with(alice, bob)
        assert_missing(await bob.get(f"/api/guilds/{gid}/audit-log"), "VIEW_AUDIT_LOG")
        assert_error(await carol.get(f"/api/guilds/{gid}/audit-log"), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await alice.get("/api/guilds/999999/audit-log"), 404, "GUILD_NOT_FOUND")

    async def test_filters_paging_and_cap(self, rt, alice, bob):
        gid = await guild_with(alice, bob)
        other = await guild_with(bob)
        a, b = alice.user["id"], bob.user["id"]
        async with rt.transaction() as tx:
            for i in range(120):
                actor = a if i % 3 else b
                action = "channel_update" if i % 2 else "message_pin"
                await audit.record(tx, gid, actor, action, i + 1, [])
            await audit.record(tx, other, b, "channel_update", 1, [])
        everything = await log(alice, gid, "?limit=100")
        assert len(everything) == 100
        ids = [e["id"] for e in everything]
        assert ids == sorted(ids, reverse=True)
        assert len(await log(alice, gid)) == 50
        assert len(await log(alice, gid, "?limit=1000")) == 100
        assert len(await log(alice, gid, "?limit=0")) == 1

        page = await log(alice, gid, f"?limit=10&before={ids[9]}")
        assert [e["id"] for e in page] == ids[10:20]

        mine = await log(alice, gid, f"?user_id={b}&limit=100")
        assert mine and all(e["user_id"] == b for e in mine)
        assert len(mine) == 40  # not the other guild's entry by the same user
        pins = await log(alice, gid, "?action=message_pin&limit=100")
        assert len(pins) == 60 and all(e["action"] == "message_pin" for e in pins)
        both = await log(alice, gid, f"?action=message_pin&user_id={b}&limit=100")
        assert {(e["action"], e["user_id"]) for e in both} == {("message_pin", b)}
        oldest = await log(alice, gid, f"?before={min(e['id'] for e in pins)}&action=message_pin")
        assert oldest == []

    @pytest.mark.parametrize(
        "query", ["?limit=abc", "?before=0", "?before=x", "?user_id=-1", "?action=nope"]
    )
    async def test_bad_queries(self, alice, query):
        gid = await guild_with(alice)
        r = await alice.get(f"/api/guilds/{gid}/audit-log{query}")
        assert_error(r, 400, "INVALID_INPUT")


class TestRetention:
    async def _aged(self, rt, gid, actor, days):
        async with rt.transaction() as tx:
            await audit.record(tx, gid, actor, "channel_update", 1, [])
            await tx.session.flush()
            await tx.session.execute(
                update(AuditLogEntry)
                .where(AuditLogEntry.guild_id == gid, AuditLogEntry.target_id == "1")
                .values(created_at=datetime.now(UTC) - timedelta(days=days))
            )

    async def test_older_than_90_days_is_hidden_then_trimmed(self, rt, alice):
        gid = await guild_with(alice)
        await self._aged(rt, gid, alice.user["id"], 91)
        await create_channel(alice, gid)
        assert [e["action"] for e in await log(alice, gid)] == ["channel_create"]
        assert await count(rt, AuditLogEntry) == 2
        assert await audit.trim(rt) == 1
        assert await count(rt, AuditLogEntry) == 1
        assert await audit.trim(rt) == 0

    async def test_recent_entries_stay(self, rt, alice):
        gid = await guild_with(alice)
        await self._aged(rt, gid, alice.user["id"], 89)
        assert await audit.trim(rt) == 0
        assert len(await log(alice, gid)) == 1

    async def test_writes_trim_every_so_often(self, rt, alice, monkeypatch):
        gid = await guild_with(alice)
        await self._aged(rt, gid, alice.user["id"], 100)
        monkeypatch.setattr(audit, "TRIM_EVERY", 1)
        await create_channel(alice, gid)
        assert [e.action for e in await all_entries(rt)] == ["channel_create"]

    async def test_one_trim_deletes_a_bounded_batch_oldest_first(self, rt, alice, monkeypatch):
        gid = await guild_with(alice)
        for days in (95, 93, 91):
            await self._aged(rt, gid, alice.user["id"], days)
        monkeypatch.setattr(audit, "TRIM_BATCH", 2)
        assert await audit.trim(rt) == 2
        [left] = await all_entries(rt)
        age = datetime.now(UTC) - left.created_at
        assert timedelta(days=90) < age < timedelta(days=92)


async def all_entries(rt):
    from sqlalchemy import select

    async with rt.transaction(write=False) as tx:
        return list((await tx.session.execute(select(AuditLogEntry))).scalars())
