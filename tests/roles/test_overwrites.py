"""Channel overwrites and what the permissions govern: hiding (list, history,
pins, search), READ_MESSAGE_HISTORY, and each former owner-only or member rule,
allowed through a role and through an overwrite, refused without."""

from __future__ import annotations

import pytest

from guildhall.permissions.bits import EVERYONE_DEFAULT, Permission
from tests.conftest import assert_error
from tests.guilds.helpers import create_channel
from tests.roles.helpers import bits

P = Permission
V = P.VIEW_CHANNEL


def refused(r, perm: str) -> None:
    assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
    assert r.json()["details"]["permission"] == perm


class TestOverwriteRoutes:
    async def test_put_shows_on_the_channel_and_emits(self, g, captured_events):
        role = await g.role("r")
        channel = await g.overwrite(role["id"], "role", allow=bits(P.MANAGE_MESSAGES), deny=bits(V))
        assert channel["permission_overwrites"] == [
            {"id": role["id"], "type": "role", "allow": bits(P.MANAGE_MESSAGES), "deny": bits(V)}
        ]
        channel = await g.overwrite(g.bob.user["id"], "member", allow=bits(V))
        assert {(o["type"], o["id"]) for o in channel["permission_overwrites"]} == {
            ("role", role["id"]),
            ("member", g.bob.user["id"]),
        }
        listed = (await g.alice.get(f"/api/guilds/{g.id}/channels")).json()
        assert listed[0]["permission_overwrites"] == channel["permission_overwrites"]
        updated = captured_events.named("channel_updated")
        assert len(updated) == 2 and updated[-1].data == channel
        assert updated[-1].room == f"g:{g.id}"

    async def test_delete_needs_the_type(self, g):
        role = await g.role("r")
        await g.overwrite(role["id"], "role", deny=bits(P.SEND_MESSAGES))
        url = f"/api/channels/{g.channel}/permissions/{role['id']}"
        assert_error(await g.alice.delete(url), 400, "MISSING_REQUIRED_FIELD", "type")
        assert_error(await g.alice.delete(url + "?type=user"), 400, "INVALID_INPUT", "type")
        # A member overwrite with the same id is another overwrite: nothing to delete.
        r = await g.alice.delete(url + "?type=member")
        assert r.status_code == 200 and len(r.json()["permission_overwrites"]) == 1
        r = await g.alice.delete(url + "?type=role")
        assert r.status_code == 200 and r.json()["permission_overwrites"] == []

    async def test_bad_input(self, g, carol):
        url = f"/api/channels/{g.channel}/permissions"
        r = await g.alice.put(f"{url}/{g.everyone}", json={"type": "role", "allow": 1024})
        assert_error(r, 400, "INVALID_INPUT")
        r = await g.alice.put(f"{url}/{g.everyone}", json={"type": "everyone"})
        assert_error(r, 400, "INVALID_INPUT", "type")
        r = await g.alice.put(f"{url}/424242", json={"type": "role"})
        assert_error(r, 404, "ROLE_NOT_FOUND")
        r = await g.alice.put(f"{url}/{carol.user['id']}", json={"type": "member"})
        assert_error(r, 404, "USER_NOT_FOUND")
        r = await g.alice.put(
            f"/api/channels/999999/permissions/{g.everyone}", json={"type": "role"}
        )
        assert_error(r, 404, "CHANNEL_NOT_FOUND")

    async def test_needs_manage_roles_and_only_bits_one_has_there(self, g):
        url = f"/api/channels/{g.channel}/permissions/{g.dave.user['id']}"
        refused(await g.bob.put(url, json={"type": "member", "deny": bits(V)}), "MANAGE_ROLES")
        manager = await g.role("manager", permissions=bits(P.MANAGE_ROLES))
        await g.give_ok(g.bob, manager)
        r = await g.bob.put(url, json={"type": "member", "deny": bits(P.MANAGE_GUILD)})
        refused(r, "MANAGE_GUILD")
        r = await g.bob.put(url, json={"type": "member", "deny": bits(P.SEND_MESSAGES)})
        assert r.status_code == 200, r.text
        # A channel overwrite can give bob a bit there, and then he may set it there.
        await g.overwrite(g.bob.user["id"], "member", allow=bits(P.MANAGE_MESSAGES))
        r = await g.bob.put(url, json={"type": "member", "deny": bits(P.MANAGE_MESSAGES)})
        assert r.status_code == 200, r.text

    async def test_a_channel_in_a_category_copies_its_overwrites(self, g):
        cat = await create_channel(g.alice, g.id, name="staff", type="category")
        role = await g.role("r")
        await g.overwrite(g.everyone, "role", deny=bits(V), channel=cat["id"])
        await g.overwrite(role["id"], "role", allow=bits(V), channel=cat["id"])
        inside = await create_channel(g.alice, g.id, name="inside", category_id=cat["id"])
        expected = (await g.alice.get(f"/api/guilds/{g.id}/channels")).json()
        cat_ows = next(c for c in expected if c["id"] == cat["id"])["permission_overwrites"]
        assert inside["permission_overwrites"] == cat_ows and len(cat_ows) == 2
        # Copied, not linked: changing the category later leaves the channel alone.
        url = f"/api/channels/{cat['id']}/permissions/{role['id']}?type=role"
        assert (await g.alice.delete(url)).status_code == 200
        listed = (await g.alice.get(f"/api/guilds/{g.id}/channels")).json()
        assert (
            next(c for c in listed if c["id"] == inside["id"])["permission_overwrites"] == cat_ows
        )

    async def test_deleting_a_role_deletes_its_overwrites(self, g):
        role = await g.role("r")
        await g.overwrite(role["id"], "role", deny=bits(V))
        assert (await g.alice.delete(f"/api/guilds/{g.id}/roles/{role['id']}")).status_code == 200
        listed = (await g.alice.get(f"/api/guilds/{g.id}/channels")).json()
        assert listed[0]["permission_overwrites"] == []


class TestViewChannel:
    @pytest.fixture
    async def hidden(self, g):
        """The channel has a message and a pin, then is hidden from @everyone."""
        r = await g.alice.post(f"/api/channels/{g.channel}/messages", json={"content": "secret"})
        msg = r.json()
        assert (await g.alice.post(f"/api/messages/{msg['id']}/pin")).status_code == 200
        await g.overwrite(g.everyone, "role", deny=bits(V))
        return msg

    async def test_left_out_of_the_list(self, g, hidden):
        other = await create_channel(g.alice, g.id, name="open")
        listed = [c["id"] for c in (await g.bob.get(f"/api/guilds/{g.id}/channels")).json()]
        assert listed == [other["id"]]
        owner_list = [c["id"] for c in (await g.alice.get(f"/api/guilds/{g.id}/channels")).json()]
        assert owner_list == [g.channel, other["id"]]

    async def test_history_pins_and_messages_refused(self, g, hidden):
        c = g.channel
        for r in (
            await g.bob.get(f"/api/channels/{c}/messages"),
            await g.bob.get(f"/api/channels/{c}/messages?before=999"),
            await g.bob.get(f"/api/channels/{c}/pins"),
            await g.bob.post(f"/api/channels/{c}/messages", json={"content": "x"}),
            await g.bob.put(f"/api/messages/{hidden['id']}/reactions/%F0%9F%91%8D"),
            await g.bob.get(f"/api/messages/{hidden['id']}/poll"),
        ):
            refused(r, "VIEW_CHANNEL")

    async def test_search_leaves_it_out(self, g, hidden):
        assert (await g.alice.get("/api/search/messages?q=secret")).json() != []
        assert (await g.bob.get("/api/search/messages?q=secret")).json() == []
        r = await g.bob.get(f"/api/search/messages?q=secret&channel_id={g.channel}")
        refused(r, "VIEW_CHANNEL")

    async def test_a_role_overwrite_shows_it_again(self, g, hidden):
        role = await g.role("insider")
        await g.overwrite(role["id"], "role", allow=bits(V))
        await g.give_ok(g.bob, role)
        r = await g.bob.get(f"/api/channels/{g.channel}/messages")
        assert [m["content"] for m in r.json()["messages"]] == ["secret"]
        refused(await g.dave.get(f"/api/channels/{g.channel}/messages"), "VIEW_CHANNEL")

    async def test_a_member_overwrite_shows_it_again(self, g, hidden):
        await g.overwrite(g.dave.user["id"], "member", allow=bits(V))
        assert (await g.dave.get(f"/api/channels/{g.channel}/pins")).status_code == 200
        refused(await g.bob.get(f"/api/channels/{g.channel}/pins"), "VIEW_CHANNEL")


class TestReadMessageHistory:
    async def test_without_it_history_is_empty(self, g):
        r = await g.alice.post(f"/api/channels/{g.channel}/messages", json={"content": "old"})
        mid = r.json()["id"]
        assert (await g.alice.post(f"/api/messages/{mid}/pin")).status_code == 200
        await g.overwrite(g.everyone, "role", deny=bits(P.READ_MESSAGE_HISTORY))
        c = g.channel
        page = (await g.bob.get(f"/api/channels/{c}/messages")).json()
        assert page["messages"] == [] and page["pagination"]["total"] == 0
        assert (await g.bob.get(f"/api/channels/{c}/messages?after=0")).json()["messages"] == []
        assert (await g.bob.get(f"/api/channels/{c}/pins")).json() == []
        assert (await g.bob.get("/api/search/messages?q=old")).json() == []
        # Still visible, and one may still talk there.
        assert c in [x["id"] for x in (await g.bob.get(f"/api/guilds/{g.id}/channels")).json()]
        r = await g.bob.post(f"/api/channels/{c}/messages", json={"content": "hi"})
        assert r.status_code == 201
        assert len((await g.alice.get(f"/api/channels/{c}/messages")).json()["messages"]) == 2


class TestGovernedActions:
    """Each action: refused without its permission, allowed through a role, and
    allowed through a channel overwrite."""

    async def grant(self, g, how: str, perm: Permission) -> None:
        if how == "role":
            role = await g.role(f"grants {perm.name}", permissions=bits(perm))
            await g.give_ok(g.bob, role)
        else:
            await g.overwrite(g.bob.user["id"], "member", allow=bits(perm))

    @pytest.mark.parametrize("how", ["role", "overwrite"])
    async def test_manage_messages_deletes_and_pins_others(self, g, how):
        r = await g.alice.post(f"/api/channels/{g.channel}/messages", json={"content": "x"})
        mid = r.json()["id"]
        refused(await g.bob.post(f"/api/messages/{mid}/pin"), "MANAGE_MESSAGES")
        refused(await g.bob.delete(f"/api/messages/{mid}"), "MANAGE_MESSAGES")
        await self.grant(g, how, P.MANAGE_MESSAGES)
        assert (await g.bob.post(f"/api/messages/{mid}/pin")).status_code == 200
        assert (await g.bob.post(f"/api/messages/{mid}/unpin")).status_code == 200
        assert (await g.bob.delete(f"/api/messages/{mid}")).status_code == 200

    @pytest.mark.parametrize("how", ["role", "overwrite"])
    async def test_read_only_channels_take_manage_messages(self, g, how):
        r = await g.alice.put(f"/api/channels/{g.channel}", json={"read_only": True})
        assert r.status_code == 200
        url = f"/api/channels/{g.channel}/messages"
        assert_error(await g.bob.post(url, json={"content": "x"}), 403, "CHANNEL_READ_ONLY")
        await self.grant(g, how, P.MANAGE_MESSAGES)
        assert (await g.bob.post(url, json={"content": "x"})).status_code == 201

    @pytest.mark.parametrize("how", ["role", "overwrite"])
    async def test_send_messages(self, g, how):
        await g.set_everyone(int(EVERYONE_DEFAULT & ~P.SEND_MESSAGES))
        url = f"/api/channels/{g.channel}/messages"
        refused(await g.bob.post(url, json={"content": "x"}), "SEND_MESSAGES")
        await self.grant(g, how, P.SEND_MESSAGES)
        assert (await g.bob.post(url, json={"content": "x"})).status_code == 201

    @pytest.mark.parametrize("how", ["role", "overwrite"])
    async def test_attach_files(self, g, how):
        from tests.files import samples

        await g.set_everyone(int(EVERYONE_DEFAULT & ~P.ATTACH_FILES))
        up = await g.bob.post("/api/upload", files={"file": ("a.png", samples.png(), "image/png")})
        assert up.status_code == 201, up.text
        body = {"content": "x", "files": [up.json()["path"]]}
        url = f"/api/channels/{g.channel}/messages"
        refused(await g.bob.post(url, json=body), "ATTACH_FILES")
        assert (await g.bob.post(url, json={"content": "no file"})).status_code == 201
        await self.grant(g, how, P.ATTACH_FILES)
        assert (await g.bob.post(url, json=body)).status_code == 201

    @pytest.mark.parametrize("how", ["role", "overwrite"])
    async def test_add_reactions_but_joining_one_needs_only_view(self, g, how):
        await g.set_everyone(int(EVERYONE_DEFAULT & ~P.ADD_REACTIONS))
        r = await g.alice.post(f"/api/channels/{g.channel}/messages", json={"content": "x"})
        mid = r.json()["id"]
        thumbs, heart = "%F0%9F%91%8D", "%E2%9D%A4%EF%B8%8F"
        assert (await g.alice.put(f"/api/messages/{mid}/reactions/{thumbs}")).status_code == 200
        refused(await g.bob.put(f"/api/messages/{mid}/reactions/{heart}"), "ADD_REACTIONS")
        joined = await g.bob.put(f"/api/messages/{mid}/reactions/{thumbs}")
        assert joined.status_code == 200 and joined.json()["reactions"][0]["count"] == 2
        await self.grant(g, how, P.ADD_REACTIONS)
        assert (await g.bob.put(f"/api/messages/{mid}/reactions/{heart}")).status_code == 200

    @pytest.mark.parametrize("how", ["role", "overwrite"])
    async def test_manage_channels(self, g, how):
        url = f"/api/channels/{g.channel}"
        refused(await g.bob.put(url, json={"name": "x"}), "MANAGE_CHANNELS")
        await self.grant(g, how, P.MANAGE_CHANNELS)
        assert (await g.bob.put(url, json={"name": "renamed"})).status_code == 200
        if how == "role":  # creating is guild-wide: an overwrite cannot grant it
            r = await g.bob.post(f"/api/guilds/{g.id}/channels", json={"name": "new"})
            assert r.status_code == 201
        else:
            r = await g.bob.post(f"/api/guilds/{g.id}/channels", json={"name": "new"})
            refused(r, "MANAGE_CHANNELS")
        assert (await g.bob.delete(url)).status_code == 200

    async def test_invites(self, g):
        await g.set_everyone(int(EVERYONE_DEFAULT & ~P.CREATE_INSTANT_INVITE))
        url = f"/api/guilds/{g.id}/invites"
        refused(await g.bob.post(url, json={}), "CREATE_INSTANT_INVITE")
        code = (await g.alice.post(url, json={})).json()["code"]
        refused(await g.dave.delete(f"/api/invites/{code}"), "MANAGE_GUILD")
        manager = await g.role("m", permissions=bits(P.MANAGE_GUILD, P.CREATE_INSTANT_INVITE))
        await g.give_ok(g.bob, manager)
        assert (await g.bob.post(url, json={})).status_code == 201
        assert (await g.bob.delete(f"/api/invites/{code}")).status_code == 200

    async def test_expressions(self, g):
        from tests.emojis.test_emojis import add_emoji

        refused(await add_emoji(g.bob, g.id), "MANAGE_GUILD_EXPRESSIONS")
        role = await g.role("e", permissions=bits(P.MANAGE_GUILD_EXPRESSIONS))
        await g.give_ok(g.bob, role)
        r = await add_emoji(g.bob, g.id)
        assert r.status_code == 201, r.text
        assert (await g.bob.delete(f"/api/emojis/{r.json()['id']}")).status_code == 200

    async def test_administrator_is_everything_but_deleting_the_guild(self, g):
        admin = await g.role("admin", permissions=bits(P.ADMINISTRATOR))
        await g.give_ok(g.bob, admin)
        await g.overwrite(g.bob.user["id"], "member", deny=bits(V, P.SEND_MESSAGES))
        url = f"/api/channels/{g.channel}/messages"
        assert (await g.bob.post(url, json={"content": "x"})).status_code == 201
        assert_error(await g.bob.delete(f"/api/guilds/{g.id}"), 403, "NOT_GUILD_OWNER")
