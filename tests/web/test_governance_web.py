"""Roles, channel permissions, moderation and the audit log (sections 13 and 14), by
clicking: what one browser changes, another browser feels."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import register as api_user
from tests.web.helpers import composer, join, login, message, open_channel, seed_guild, send

pytestmark = pytest.mark.e2e


def channel_link(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f'a.channel[data-channel="{name}"]')


def member_row(page: Page, username: str):  # type: ignore[no-untyped-def]
    return page.locator(f'li.member[data-member="{username}"]')


def member_menu(page: Page, username: str, name: str | None = None):  # type: ignore[no-untyped-def]
    member_row(page, username).get_by_role("button", name=f"Actions for {name or username}").click()
    return page.get_by_role("menu", name=f"Actions for {name or username}")


def test_role_and_overwrite_change_what_a_member_sees_and_may_do(live, new_context):
    alice_api, bob_api = api_user(live.url, "alice"), api_user(live.url, "bob")
    gid, ids = seed_guild(live.url, alice_api, "Club", ["general", "staff"])
    join(live.url, alice_api, bob_api, gid)
    path = f"/channels/{gid}/{ids['general']}"
    alice = login(new_context(), live.url, "alice", path)
    bob = login(new_context(), live.url, "bob", path)
    expect(channel_link(bob, "staff")).to_be_visible()
    # A plain member may not create channels, has no channel gear and no member menu.
    expect(bob.get_by_role("button", name="+ Create channel")).to_have_count(0)
    expect(bob.get_by_role("button", name="Edit channel: staff")).to_have_count(0)
    row = member_row(bob, "alice")
    expect(row.locator("button[aria-haspopup=menu]")).to_have_count(0)
    # What is left is the DM button (section 15), which every member has.
    expect(row.get_by_role("button")).to_have_accessible_name("Message alice")

    # The overwrite: @everyone may not view #staff. Bob's list loses it live.
    alice.get_by_role("button", name="Edit channel: staff").click()
    settings = alice.get_by_role("dialog", name="#staff")
    settings.get_by_role("button", name="Permissions").click()
    settings.get_by_role("radiogroup", name="View channels (@everyone)").get_by_label(
        "Deny"
    ).check()
    expect(
        settings.get_by_role("radiogroup", name="View channels (@everyone)").get_by_label("Deny")
    ).to_be_checked()
    expect(channel_link(bob, "staff")).to_have_count(0)
    expect(channel_link(alice, "staff")).to_be_visible()  # the owner sees everything

    # A role: created, colored, hoisted, given MANAGE_CHANNELS, allowed into #staff.
    settings.get_by_role("button", name="Close settings").click()
    alice.get_by_role("button", name="Server settings").click()
    settings = alice.get_by_role("dialog", name="Club")
    settings.get_by_role("button", name="Roles").click()
    settings.get_by_role("button", name="Create role").click()
    editor = settings.get_by_role("region", name="Edit role — new role")
    editor.get_by_label("Role name").fill("Mods")
    editor.get_by_label("Display role members separately from online members").check()
    editor.get_by_role("button", name="Save changes").click()
    editor = settings.get_by_role("region", name="Edit role — Mods")
    editor.get_by_role("switch", name="Manage channels").check()
    expect(editor.get_by_role("switch", name="Manage channels")).to_be_checked()
    settings.get_by_role("button", name="Close settings").click()
    alice.get_by_role("button", name="Edit channel: staff").click()
    settings = alice.get_by_role("dialog", name="#staff")
    settings.get_by_role("button", name="Permissions").click()
    settings.get_by_label("Add a role or member").select_option(label="Role: Mods")
    settings.get_by_role("radiogroup", name="View channels (Mods)").get_by_label("Allow").check()
    expect(
        settings.get_by_role("radiogroup", name="View channels (Mods)").get_by_label("Allow")
    ).to_be_checked()
    settings.get_by_role("button", name="Close settings").click()
    expect(channel_link(bob, "staff")).to_have_count(0)  # bob does not hold Mods yet

    # Given to bob from his member menu: he gains the ability and the channel, live.
    menu = member_menu(alice, "bob")
    menu.get_by_role("menuitem", name="Roles").click()
    dialog = alice.get_by_role("dialog", name="Roles of bob")
    dialog.get_by_label("Add role: bob").select_option(label="Mods")
    expect(dialog.get_by_role("list", name="Roles of bob")).to_contain_text("Mods")
    alice.keyboard.press("Escape")
    expect(bob.get_by_role("button", name="+ Create channel")).to_be_visible()
    expect(channel_link(bob, "staff")).to_be_visible()
    # The hoisted role groups bob in everyone's member list.
    expect(alice.get_by_role("region", name="Mods — 1")).to_contain_text("bob")
    # The room was joined: a message in #staff reaches bob live.
    open_channel(bob, "staff")
    open_channel(alice, "staff")
    send(alice, "mods only")
    expect(message(bob, "mods only")).to_be_visible()

    # Taking the role away hides #staff again and takes bob out of it.
    member_menu(alice, "bob").get_by_role("menuitem", name="Roles").click()
    alice.get_by_role("dialog", name="Roles of bob").get_by_role(
        "button", name="Remove role Mods from bob"
    ).click()
    expect(channel_link(bob, "staff")).to_have_count(0)
    expect(bob.get_by_role("button", name="+ Create channel")).to_have_count(0)
    expect(bob.locator(".chat-title")).to_contain_text("general")


def test_kick_ban_timeout_from_the_member_menu_and_the_audit_log(live, new_context):
    owner_api = api_user(live.url, "alice")
    gid, ids = seed_guild(live.url, owner_api, "Club", ["general"])
    for name in ("bob", "carol"):
        join(live.url, owner_api, api_user(live.url, name), gid)
    path = f"/channels/{gid}/{ids['general']}"
    alice = login(new_context(), live.url, "alice", path)
    bob = login(new_context(), live.url, "bob", path)
    carol = login(new_context(), live.url, "carol", path)
    expect(composer(bob)).to_be_visible()

    # Time out bob for a minute: his composer becomes a notice, without a reload.
    member_menu(alice, "bob").get_by_role("menuitem", name="Time out bob").click()
    dialog = alice.get_by_role("dialog", name="Time out bob")
    dialog.get_by_label("60 seconds").check()
    dialog.get_by_label("Reason").fill("cool down")
    dialog.get_by_role("button", name="Confirm").click()
    expect(bob.get_by_test_id("timeout-notice")).to_contain_text("You are timed out until")
    expect(composer(bob)).to_have_count(0)
    expect(member_row(alice, "bob").locator(".timeout-mark")).to_be_visible()
    member_menu(alice, "bob").get_by_role("menuitem", name="Remove time out").click()
    expect(composer(bob)).to_be_visible()

    # Kick carol: her browser loses the server and says so.
    member_menu(alice, "carol").get_by_role("menuitem", name="Kick carol").click()
    dialog = alice.get_by_role("dialog", name="Kick carol from the server")
    dialog.get_by_label("Reason").fill("spam")
    dialog.get_by_role("button", name="Kick carol").click()
    servers = carol.get_by_role("navigation", name="Servers")
    expect(servers.get_by_role("link", name="Club")).to_have_count(0)
    expect(carol.locator(".toasts")).to_contain_text("You were removed from Club.")
    expect(member_row(alice, "carol")).to_have_count(0)

    # Ban bob, deleting his last hour of messages.
    send(bob, "something to regret")
    expect(message(alice, "something to regret")).to_be_visible()
    member_menu(alice, "bob").get_by_role("menuitem", name="Ban bob").click()
    dialog = alice.get_by_role("dialog", name="Ban bob")
    dialog.get_by_label("Delete message history").select_option(label="Previous hour")
    dialog.get_by_label("Reason").fill("repeat offender")
    dialog.get_by_role("button", name="Ban bob").click()
    expect(
        bob.get_by_role("navigation", name="Servers").get_by_role("link", name="Club")
    ).to_have_count(0)
    expect(message(alice, "something to regret")).to_have_count(0)

    # The bans page lists him; the audit log lists what happened, with reasons.
    alice.get_by_role("button", name="Server settings").click()
    settings = alice.get_by_role("dialog", name="Club")
    settings.get_by_role("button", name="Bans").click()
    row = settings.locator('tr[data-ban="bob"]')
    expect(row).to_contain_text("repeat offender")
    settings.get_by_role("button", name="Audit log").click()
    log = settings.get_by_role("list", name="Audit log")
    expect(log.locator('[data-action="member_ban_add"]')).to_contain_text("alice banned bob")
    expect(log.locator('[data-action="member_ban_add"]')).to_contain_text("repeat offender")
    expect(log.locator('[data-action="member_kick"]')).to_contain_text("Reason: spam")
    expect(log.locator('[data-action="member_timeout"]').last).to_contain_text("cool down")
    settings.get_by_label("Filter by action").select_option("member_kick")
    expect(log.locator("li.audit-entry")).to_have_count(1)

    # Revoking the ban lets him back in with an invite.
    settings.get_by_role("button", name="Bans").click()
    settings.get_by_role("button", name="Revoke ban: bob").click()
    expect(settings.get_by_text("No one is banned.")).to_be_visible()


def test_a_moderator_sees_only_what_their_roles_allow(live, new_context):
    alice_api, bob_api, carol_api = (api_user(live.url, n) for n in ("alice", "bob", "carol"))
    gid, ids = seed_guild(live.url, alice_api, "Club", ["general"])
    join(live.url, alice_api, bob_api, gid)
    join(live.url, alice_api, carol_api, gid)
    base = f"{live.url}/api/guilds/{gid}"
    # Mods (KICK_MEMBERS | MANAGE_ROLES) above Helpers (no bits); bob holds Mods.
    mods = alice_api.post(f"{base}/roles", json={"name": "Mods", "permissions": str(2 | 1 << 28)})
    helpers = alice_api.post(f"{base}/roles", json={"name": "Helpers", "permissions": "0"})
    assert mods.status_code == helpers.status_code == 201
    mods_id = mods.json()["id"]
    assert alice_api.put(f"{base}/roles/{mods_id}", json={"position": 2}).status_code == 200
    assert alice_api.put(f"{base}/members/{bob_api.user['id']}/roles/{mods_id}").status_code == 200
    bob = login(new_context(), live.url, "bob", f"/channels/{gid}/{ids['general']}")

    # Carol is below bob: kick is offered, ban and timeout are not; the owner offers nothing.
    menu = member_menu(bob, "carol")
    expect(menu.get_by_role("menuitem")).to_have_text(["Roles", "Kick carol"])
    bob.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    # The owner can be given a lower role, never kicked, banned or timed out.
    owner_menu = member_menu(bob, "alice")
    expect(owner_menu.get_by_role("menuitem")).to_have_text(["Roles"])
    # Escape closes the menu even when the focus has left it.
    bob.evaluate("document.activeElement.blur()")
    bob.keyboard.press("Escape")
    expect(owner_menu).to_have_count(0)
    # In the roles page only Helpers (below his top role) is editable, and only bits he holds.
    bob.get_by_role("button", name="Server settings").click()
    settings = bob.get_by_role("dialog", name="Club")
    expect(settings.get_by_role("button", name="Audit log")).to_have_count(0)
    settings.get_by_role("button", name="Roles").click()
    settings.get_by_role("list", name="Roles").get_by_role(
        "button", name=re.compile("^Mods")
    ).click()
    expect(settings.get_by_role("note")).to_have_text(
        "You can only edit roles below your highest role."
    )
    settings.get_by_role("list", name="Roles").get_by_role(
        "button", name=re.compile("^Helpers")
    ).click()
    editor = settings.get_by_role("region", name="Edit role — Helpers")
    expect(editor.get_by_role("switch", name="Kick members")).to_be_enabled()
    expect(editor.get_by_role("switch", name="Ban members")).to_be_disabled()
    expect(editor.get_by_role("switch", name="Administrator")).to_be_disabled()
