"""Direct messages in two browsers: a friend's "message" button opens the DM, the
other side sees it appear (with the unread count in the tab title) and they chat
live; a group is created from friends, renamed, and left."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.web.helpers import message, register, send

pytestmark = pytest.mark.e2e


def befriend(a: Page, b: Page, b_name: str, a_name: str) -> None:
    a.get_by_role("tab", name="Add friend").click()
    a.get_by_label("Add friend").fill(b_name)
    a.get_by_role("button", name="Send friend request").click()
    b.get_by_role("tab", name="Pending").click()
    b.get_by_role("button", name=f"Accept {a_name}").click()
    for page in (a, b):
        page.get_by_role("tab", name="All").click()


def test_two_browsers_chat_in_a_dm(live, new_context):
    alice = register(new_context(), live.url, "alice")
    bob = register(new_context(), live.url, "bob")
    for page in (alice, bob):
        page.goto(live.url + "/friends")
    befriend(alice, bob, "bob", "alice")

    # Bob opens the DM from his friends list and writes first.
    bob.get_by_role("button", name="Message alice").click()
    expect(bob).to_have_url(re.compile(r"/channels/@me/\d+$"))
    expect(bob.locator(".chat-title")).to_have_text("@alice")
    send(bob, "hi alice, just us")
    expect(message(bob, "hi alice, just us")).to_be_visible()

    # Alice, elsewhere, sees the conversation appear with the unread count in the tab.
    entry = alice.locator(".dm-list a.channel", has_text="bob")
    expect(entry).to_be_visible()
    expect(entry).to_have_class(re.compile(r"\bunread\b"))
    expect(alice).to_have_title(re.compile(r"^\(1\) "))
    entry.click()
    expect(message(alice, "hi alice, just us")).to_be_visible()
    expect(alice).to_have_title(re.compile(r"^@bob · "))
    send(alice, "hello bob")
    expect(message(bob, "hello bob")).to_be_visible()

    # Bob sees alice typing, live, in the DM.
    alice.locator(".composer textarea").press_sequentially("more to say")
    expect(bob.locator(".typing")).to_contain_text("alice")


def test_group_created_renamed_and_left(live, new_context):
    alice = register(new_context(), live.url, "alice")
    bob = register(new_context(), live.url, "bob")
    carol = register(new_context(), live.url, "carol")
    for page in (alice, bob, carol):
        page.goto(live.url + "/friends")
    befriend(alice, bob, "bob", "alice")
    befriend(alice, carol, "carol", "alice")

    alice.get_by_role("button", name="New group").click()
    dialog = alice.get_by_role("dialog")
    dialog.get_by_label("bob").check()
    dialog.get_by_label("carol").check()
    dialog.get_by_role("button", name="Create group").click()
    expect(alice.locator(".chat-title")).to_contain_text("bob, carol")
    send(alice, "welcome to the group")
    expect(message(carol, "welcome to the group")).to_have_count(0)  # not open there yet
    carol.locator(".dm-list a.channel", has_text="alice, bob").click()
    expect(message(carol, "welcome to the group")).to_be_visible()

    # Any recipient renames; everyone sees the new name.
    carol.get_by_role("button", name=re.compile(r"^Group settings")).click()
    carol.get_by_role("dialog").get_by_label("Group name").fill("Book club")
    carol.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(alice.locator(".dm-list a.channel", has_text="Book club")).to_be_visible()
    expect(bob.locator(".dm-list a.channel", has_text="Book club")).to_be_visible()

    # Bob leaves: the group goes from his list, and the others see two people left.
    bob.get_by_role("button", name="Group settings: Book club").click()
    bob.get_by_role("dialog").get_by_role("button", name="Leave group").click()
    expect(bob.locator(".dm-list a.channel", has_text="Book club")).to_have_count(0)
    expect(alice.locator(".dm-list a.channel", has_text="Book club")).to_contain_text("2 ·")
