"""The windowed message list under load: grouped history (authors alternating, so every
row carries the gap above a group) and a burst of new messages while it is open.

The release blocker this guards: rows were measured without the 12 px gap above each
group, so the list flipped forever between two scroll positions and pinned the tab."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import register as api_user
from tests.web.helpers import join, login, message, seed_guild

pytestmark = pytest.mark.e2e

# Counts scroll events and row insertions/removals on the log from now on.
WATCH = """() => {
  const log = document.querySelector('[data-testid="message-log"]');
  window.__scrolls = 0; window.__mutations = 0;
  log.addEventListener('scroll', () => { window.__scrolls++; });
  new MutationObserver((l) => { window.__mutations += l.length; })
    .observe(log, { childList: true, subtree: true });
}"""
COUNTS = "() => [window.__scrolls, window.__mutations]"
TWO_FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def responsive(page, timeout: float = 5000) -> None:  # type: ignore[no-untyped-def]
    """The page's main thread answers within `timeout` ms (wait_for_function's timeout is
    kept by the driver, so a pinned tab fails here instead of hanging the test)."""
    page.wait_for_function("() => true", timeout=timeout, polling="raf")


def settled(page) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Scroll events and DOM changes over one quiet second, once everything is shown."""
    responsive(page)
    # Two frames first: a scroll just written fires its event, and renders, a frame later.
    page.evaluate(TWO_FRAMES)
    before = page.evaluate(COUNTS)
    page.wait_for_timeout(1000)  # a measuring window, not a wait for a condition
    responsive(page)
    after = page.evaluate(COUNTS)
    return after[0] - before[0], after[1] - before[1]


def seen_scrolling_up(page) -> tuple[set[str], list[str]]:  # type: ignore[no-untyped-def]
    """The texts of every row rendered while scrolling from the bottom to the top, and a
    line per step (scroll position, first and last row rendered) to explain a gap."""
    log = page.get_by_test_id("message-log")
    seen: set[str] = set()
    steps: list[str] = []
    log.evaluate("(el) => { el.scrollTop = el.scrollHeight; }")
    for _ in range(300):
        # Read once an older page asked for on the way up is in and laid out (two
        # frames: the scroll event, then the render it causes), so each read is of a
        # settled view.
        expect(log).not_to_have_attribute("aria-busy", "true")
        page.evaluate(TWO_FRAMES)
        responsive(page)
        rows = page.locator('[data-testid="content"]').all_inner_texts()
        seen.update(rows)
        top = log.evaluate("(el) => el.scrollTop")
        steps.append(f"{top:.0f}: {rows[0] if rows else '-'} .. {rows[-1] if rows else '-'}")
        if top <= 0:
            break
        log.evaluate("(el) => { el.scrollTop = Math.max(0, el.scrollTop - el.clientHeight / 3); }")
    return seen, steps


@pytest.mark.parametrize(
    "viewport",
    [(1280, 800), (1440, 900), (390, 844)],
    ids=["1280x800", "1440x900", "390x844"],
)
def test_grouped_history_and_a_burst_keep_the_page_responsive(live, new_context, viewport):
    alice_api = api_user(live.url, "alice")
    bob_api = api_user(live.url, "bob")
    gid, ids = seed_guild(live.url, alice_api, "Club", ["general"])
    join(live.url, alice_api, bob_api, gid)
    cid = ids["general"]
    # Authors alternate: every message starts a group, with the gap above it.
    for i in range(80):
        who = alice_api if i % 2 == 0 else bob_api
        r = who.post(f"{live.url}/api/channels/{cid}/messages", json={"content": f"history {i}"})
        assert r.status_code == 201, r.text

    width, height = viewport
    page = login(
        new_context(viewport={"width": width, "height": height}),
        live.url,
        "alice",
        f"/channels/{gid}/{cid}",
    )
    expect(message(page, "history 79")).to_be_visible()
    page.evaluate(WATCH)

    # A burst of 30 from two authors at once (still alternating groups).
    def burst(who, start: int) -> None:  # type: ignore[no-untyped-def]
        for i in range(start, 30, 2):
            who.post(f"{live.url}/api/channels/{cid}/messages", json={"content": f"burst {i}"})

    threads = [
        threading.Thread(target=burst, args=(bob_api, 0)),
        threading.Thread(target=burst, args=(alice_api, 1)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    responsive(page)
    # The view followed the newest to the bottom.
    newest = alice_api.get(f"{live.url}/api/channels/{cid}/messages?limit=1").json()["messages"]
    expect(message(page, newest[-1]["content"])).to_be_in_viewport()

    # Quiet: no scroll or render loop once nothing arrives.
    scrolls, mutations = settled(page)
    assert scrolls <= 2, f"{scrolls} scroll events in a quiet second: the list is looping"
    assert mutations <= 4, f"{mutations} DOM changes in a quiet second: the list is looping"

    # Scrolling up through the grouped history and back stays quiet as well.
    log = page.get_by_test_id("message-log")
    log.evaluate("(el) => { el.scrollTop = el.scrollHeight / 2; }")
    responsive(page)
    log.evaluate("(el) => { el.scrollTop = el.scrollHeight; }")
    responsive(page)
    scrolls, mutations = settled(page)
    assert scrolls <= 2, f"{scrolls} scroll events after scrolling: the list is looping"
    assert mutations <= 4, f"{mutations} DOM changes after scrolling: the list is looping"

    # Every message shows: read the whole list a screen at a time, bottom to top.
    seen, steps = seen_scrolling_up(page)
    want = {f"burst {i}" for i in range(30)} | {f"history {i}" for i in range(30, 80)}
    assert seen >= want, f"never shown: {sorted(want - seen)}; steps: {steps}"
