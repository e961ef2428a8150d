"""Rate limits as a person meets them: the client waits Retry-After and sends anyway."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import register as api_user
from tests.web.helpers import login, message, seed_guild, send

pytestmark = pytest.mark.e2e


def test_a_rate_limited_send_is_retried_after_retry_after(spawn_server, new_context):
    server = spawn_server(GUILDHALL_MESSAGE_RATE_LIMIT="2/3 seconds")
    alice_api = api_user(server.url, "alice")
    gid, ids = seed_guild(server.url, alice_api, "Club", ["general"])
    page = login(new_context(), server.url, "alice", f"/channels/{gid}/{ids['general']}")
    for i in range(3):
        send(page, f"burst {i}")
    expect(page.get_by_role("status").filter(has_text="Too many requests")).to_be_visible()
    # The third send went out once the window allowed it, and exactly once.
    expect(page.locator("article.msg.pending")).to_have_count(0)
    expect(message(page, "burst 2")).to_be_visible()
    page.reload()
    for i in range(3):
        expect(message(page, f"burst {i}")).to_have_count(1)
