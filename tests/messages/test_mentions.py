"""Mentions (contract section 16): parsed on the server, checked against who can
see the channel and what the author may mention, re-parsed on edits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from guildhall.messages import mentions
from guildhall.models import MessageMention, MessageRoleMention
from tests.conftest import MESSAGE_KEYS
from tests.factories import joined


def ids(*clients) -> list[int]:
    return [c.user["id"] for c in clients]


async def indexed(rt, message_id: int) -> tuple[set[int], set[int]]:
    async with rt.transaction(write=False) as tx:
        users = set(
            (
                await tx.session.scalars(
                    select(MessageMention.user_id).where(MessageMention.message_id == message_id)
                )
            ).all()
        )
        roles = set(
            (
                await tx.session.scalars(
                    select(MessageRoleMention.role_id).where(
                        MessageRoleMention.message_id == message_id
                    )
                )
            ).all()
        )
    return users, roles


class TestParse:
    def test_the_syntax(self):
        parsed = mentions.parse("hi <@12> and <@!13>, <@12> again, <@&7> @here")
        assert parsed.users == [12, 13]
        assert parsed.roles == [7]
        assert parsed.everyone is True

    def test_what_is_not_a_mention(self):
        parsed = mentions.parse(
            "<@0> <@x> <@ 5> <@&> mail@everyone.org @everyoneelse <@99999999999999999999>"
        )
        assert parsed.users == [] and parsed.roles == [] and parsed.everyone is False
        assert not mentions.parse("no at sign")


class TestUserMentions:
    async def test_members_who_can_see_the_channel_are_kept(self, world):
        a, b, c = ids(world.alice, world.bob, world.carol)
        m = await world.send(world.alice, f"<@{b}> <@{c}> <@{a}> <@424242>")
        assert set(m) >= MESSAGE_KEYS
        # carol is no member; 424242 no user: both stay plain text.
        assert m["mentions"] == [b, a]
        assert m["mention_roles"] == [] and m["mention_everyone"] is False
        assert await indexed(world.rt, m["id"]) == ({a, b}, set())

    async def test_a_reply_mentions_the_replied_to_author(self, world):
        b = world.bob.user["id"]
        original = await world.send(world.bob, "q")
        reply = await world.send(world.alice, "a", reply_to=original["id"])
        assert reply["mentions"] == [b]
        # Mentioned in the text too: once.
        again = await world.send(world.alice, f"<@{b}>", reply_to=original["id"])
        assert again["mentions"] == [b]

    async def test_replying_to_oneself_mentions_nobody(self, world):
        original = await world.send(world.bob, "q")
        reply = await world.send(world.bob, "a", reply_to=original["id"])
        assert reply["mentions"] == []
        assert await indexed(world.rt, reply["id"]) == (set(), set())

    async def test_history_carries_the_mentions(self, world):
        b = world.bob.user["id"]
        await world.send(world.alice, f"hey <@{b}>")
        page = (await world.bob.get(f"/api/channels/{world.channel_id}/messages")).json()
        assert page["messages"][0]["mentions"] == [b]


class TestEveryone:
    async def test_the_owner_may_mention_everyone(self, world):
        for text in ("@everyone look", "@here look"):
            m = await world.send(world.alice, text)
            assert m["mention_everyone"] is True, text

    async def test_without_mention_everyone_the_text_stays_plain(self, world):
        m = await world.send(world.bob, "@everyone look")
        assert m["mention_everyone"] is False
        assert m["content"] == "@everyone look"


class TestRoleMentions:
    async def test_an_unknown_role_never_qualifies(self, world):
        m = await world.send(world.alice, "<@&999999> hi")
        assert m["mention_roles"] == []

    async def test_mentionable_roles_count_and_others_need_mention_everyone(self, world):
        """Real roles: bob (no MENTION_EVERYONE) mentions only the mentionable one;
        alice (the owner, every permission) any of the guild's roles."""
        url = f"/api/guilds/{world.guild_id}/roles"
        loud = (await world.alice.post(url, json={"name": "loud", "mentionable": True})).json()
        quiet = (await world.alice.post(url, json={"name": "quiet"})).json()
        roles = (await world.alice.get(url)).json()
        everyone = next(r["id"] for r in roles if r["position"] == 0)
        text = f"<@&{loud['id']}> <@&{quiet['id']}> <@&{everyone}>"
        assert (await world.send(world.bob, text))["mention_roles"] == [loud["id"]]
        m = await world.send(world.alice, text)
        assert sorted(m["mention_roles"]) == sorted([loud["id"], quiet["id"]])
        assert await indexed(world.rt, m["id"]) == (set(), {loud["id"], quiet["id"]})

    async def test_qualifying_roles_are_kept_and_indexed(self, world, monkeypatch):
        calls = []

        async def qualifying(tx, guild, role_ids, any_role):
            calls.append((guild.id, list(role_ids), any_role))
            return {5}

        monkeypatch.setattr(mentions, "qualifying_role_ids", qualifying)
        m = await world.send(world.bob, "<@&5> <@&6> hi")
        assert m["mention_roles"] == [5]
        # bob lacks MENTION_EVERYONE: only mentionable roles may qualify.
        assert calls == [(world.guild_id, [5, 6], False)]
        assert await indexed(world.rt, m["id"]) == (set(), {5})
        await world.send(world.alice, "<@&6>")
        assert calls[-1] == (world.guild_id, [6], True)


class TestEdits:
    async def test_an_edit_parses_the_mentions_again(self, world):
        a, b = ids(world.alice, world.bob)
        m = await world.send(world.alice, f"<@{b}>")
        r = await world.alice.put(f"/api/messages/{m['id']}", json={"content": f"<@{a}> @everyone"})
        assert r.status_code == 200, r.text
        edited = r.json()
        assert edited["mentions"] == [a] and edited["mention_everyone"] is True
        assert await indexed(world.rt, m["id"]) == ({a}, set())
        r = await world.alice.put(f"/api/messages/{m['id']}", json={"content": "nobody"})
        assert r.json()["mentions"] == [] and r.json()["mention_everyone"] is False
        assert await indexed(world.rt, m["id"]) == (set(), set())

    async def test_an_edited_reply_keeps_mentioning_the_replied_to_author(self, world):
        b = world.bob.user["id"]
        original = await world.send(world.bob, "q")
        reply = await world.send(world.alice, "a", reply_to=original["id"])
        r = await world.alice.put(f"/api/messages/{reply['id']}", json={"content": "b"})
        assert r.json()["mentions"] == [b]
        assert r.json()["reply_to"]["id"] == original["id"]


class TestOverSocket:
    async def test_send_message_and_the_edit_event_carry_mentions(self, world, connect):
        b = world.bob.user["id"]
        probe = await joined(world.rt, connect, world.alice.user["token"], world.room)
        answer = await probe.call(
            "send_message", {"room": world.room, "content": f"<@{b}> @everyone"}
        )
        assert answer["ok"] is True, answer
        event = await probe.next("new_message")
        assert event["mentions"] == [b] and event["mention_everyone"] is True
        r = await world.alice.put(f"/api/messages/{event['id']}", json={"content": "quiet"})
        assert r.status_code == 200
        edited = await probe.next("message_edited")
        assert edited["mentions"] == [] and edited["mention_everyone"] is False

    @pytest.mark.parametrize("who", ["bob"])
    async def test_a_member_cannot_mention_everyone_over_the_socket(self, world, connect, who):
        probe = await joined(world.rt, connect, getattr(world, who).user["token"], world.room)
        answer = await probe.call("send_message", {"room": world.room, "content": "@here hi"})
        assert answer["ok"] is True
        assert answer["message"]["mention_everyone"] is False
