"""Lossless reconnect in the browser (contract section 18): offline, another user
changes the channel, back online; the client resumes its rooms, every change shows
once, and the open channel is not reloaded over REST (it answered ``resumed``)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.web.helpers import message, send
from tests.web.test_chat_web import pair  # noqa: F401  (fixture)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Alice's changes through the API her page signed in to (the same as her buttons).
CALL = """async ([method, url, body]) => {
  const csrf = decodeURIComponent(document.cookie.match(/csrf_token=([^;]+)/)[1]);
  const r = await fetch(url, {method, headers: {"Content-Type": "application/json",
    "X-CSRF-Token": csrf}, body: body ? JSON.stringify(body) : undefined});
  if (!r.ok) throw new Error(method + " " + url + " " + r.status);
  return r.status === 204 ? null : r.json();
}"""


def test_offline_changes_all_show_once_after_resume(pair):  # type: ignore[no-untyped-def]  # noqa: F811
    alice, bob, _, bob_ctx, _ = pair
    for text in ("stays", "goes away", "changes", "liked"):
        send(alice, text)
        expect(message(bob, text)).to_be_visible()
    channel_id = int(alice.url.rstrip("/").split("/")[-1])
    ids = {
        m["content"]: m["id"]
        for m in alice.evaluate(CALL, ["GET", f"/api/channels/{channel_id}/messages", None])[
            "messages"
        ]
    }

    bob_ctx.set_offline(True)
    banner = bob.get_by_role("alert").filter(has_text="reconnecting")
    expect(banner).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    bob.screenshot(path=str(SCREENSHOTS / "resume-offline-banner.png"))

    alice.evaluate(CALL, ["POST", f"/api/channels/{channel_id}/messages", {"content": "new one"}])
    alice.evaluate(CALL, ["PUT", f"/api/messages/{ids['changes']}", {"content": "changed"}])
    alice.evaluate(CALL, ["DELETE", f"/api/messages/{ids['goes away']}", None])
    alice.evaluate(CALL, ["PUT", f"/api/messages/{ids['liked']}/reactions/👍", None])
    expect(message(alice, "new one")).to_be_visible()

    reloads: list[str] = []
    bob.on(
        "request",
        lambda r: (
            reloads.append(r.url)
            if re.search(rf"/api/channels/{channel_id}/messages", r.url)
            else None
        ),
    )
    bob_ctx.set_offline(False)
    expect(banner).to_have_count(0)

    expect(message(bob, "new one")).to_have_count(1)
    expect(message(bob, "changed")).to_contain_text("(edited)")
    expect(message(bob, "goes away")).to_have_count(0)
    expect(message(bob, "liked").get_by_role("button", name="👍 1")).to_be_visible()
    expect(message(bob, "stays")).to_have_count(1)
    # Live again, and still once each.
    send(alice, "after")
    expect(message(bob, "after")).to_have_count(1)
    expect(message(bob, "new one")).to_have_count(1)
    # Replayed, not reloaded: the open channel answered ``resumed``.
    assert reloads == []
    bob.screenshot(path=str(SCREENSHOTS / "resume-after-reconnect.png"))
