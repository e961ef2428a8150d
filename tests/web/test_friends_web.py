"""The friends panel: requests, accept, decline, cancel, remove, with live updates."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.helpers import register

pytestmark = pytest.mark.e2e


def ask(page, username):
    """Send ``username`` a friend request from the Add friend tab."""
    page.get_by_role("tab", name="Add friend").click()
    page.get_by_label("Add friend").fill(username)
    page.get_by_role("button", name="Send friend request").click()


def test_friend_requests_update_live_on_both_sides(live, new_context):
    alice = register(new_context(), live.url, "alice")
    bob = register(new_context(), live.url, "bob")
    register(new_context(), live.url, "carol")
    for page in (alice, bob):
        page.goto(live.url + "/friends")

    # Unknown user: the error is shown next to the field.
    ask(alice, "nobody")
    expect(alice.locator("#friend-error")).to_be_visible()

    ask(alice, "bob")
    expect(alice.get_by_role("status").filter(has_text="Friend request sent")).to_be_visible()

    # Bob sees the request arrive without reloading, and accepts it.
    bob.get_by_role("tab", name="Pending").click()
    expect(bob.get_by_role("button", name="Accept alice")).to_be_visible()
    bob.get_by_role("button", name="Accept alice").click()
    bob.get_by_role("tab", name="All").click()
    expect(bob.locator(".person-name", has_text="alice")).to_be_visible()
    alice.get_by_role("tab", name="All").click()
    expect(alice.locator(".person-name", has_text="bob")).to_be_visible()

    # Removal shows up on the other side too.
    bob.get_by_role("button", name="Remove alice").click()
    expect(alice.locator(".person-name", has_text="bob")).to_have_count(0)

    # Cancel an outgoing request; decline an incoming one.
    ask(alice, "carol")
    alice.get_by_role("tab", name="Pending").click()
    alice.get_by_role("button", name="Cancel carol").click()
    expect(alice.get_by_text("No pending requests.")).to_be_visible()

    ask(alice, "bob")
    bob.get_by_role("tab", name="Pending").click()
    bob.get_by_role("button", name="Decline alice").click()
    expect(bob.get_by_text("No pending requests.")).to_be_visible()
    alice.get_by_role("tab", name="Pending").click()
    expect(alice.get_by_text("No pending requests.")).to_be_visible()
