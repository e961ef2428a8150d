"""Browser tests: Debian's chromium driven by Playwright (Python) against the real
``guildhall serve`` process, with the built web client.

Never ``playwright install``: the browser is the distribution's ``chromium`` package,
installed here when missing (we run as root in CI and on the dev machines)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import unavailable
from tests.e2e.conftest import live, spawn_server  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
INDEX = ROOT / "src" / "guildhall" / "static" / "index.html"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Bounds for Playwright's waits (milliseconds). Each is a wait for a condition, so
# a passing test takes no longer for them; they only decide when a stuck one fails.
EXPECT_TIMEOUT_MS = 20_000  # an assertion: an element, a text, a count
ACTION_TIMEOUT_MS = 30_000  # a click or a fill, waiting for its element to be ready
NAVIGATION_TIMEOUT_MS = 60_000  # a page load: the bundle, under load, on a cold server
LAUNCH_TIMEOUT_MS = 120_000  # the browser process


def _install_chromium() -> str | None:
    """Why it could not be installed, or None when it is there."""
    if Path(CHROMIUM).exists():
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "not root or no apt-get: install Debian's chromium package by hand"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            return f"{' '.join(cmd)} failed: {done.stderr[-2000:]}"
    return None if Path(CHROMIUM).exists() else "apt-get installed no /usr/bin/chromium"


def _stale() -> bool:
    """The built client is missing or older than a source file."""
    if not INDEX.exists():
        return True
    built = INDEX.stat().st_mtime
    sources = [p for p in (ROOT / "web").glob("**/*") if "node_modules" not in p.parts]
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def _build_client() -> str | None:
    if not _stale():
        return None
    if not shutil.which("npm"):
        return "the web client is not built and npm is missing (run `make build`)"
    web = ROOT / "web"
    for cmd in (["npm", "ci", "--no-audit", "--no-fund"], ["npm", "run", "build"]):
        done = subprocess.run(cmd, cwd=web, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            return f"{' '.join(cmd)} failed: {(done.stdout + done.stderr)[-2000:]}"
    return None if INDEX.exists() else "the build wrote no index.html"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    reason = _install_chromium()
    if reason:
        unavailable(f"BROWSER TESTS: chromium unavailable: {reason}")
    reason = _build_client()
    if reason:
        unavailable(f"BROWSER TESTS: {reason}")
    from playwright.sync_api import expect, sync_playwright

    # Every wait is on a condition (an element, a text, a response), so a long
    # bound costs nothing when the page is quick; Playwright's own defaults (5 s
    # for an assertion, 30 s for a launch) fail tests on a loaded two-core machine.
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=LAUNCH_TIMEOUT_MS
        )
        yield b
        b.close()


@pytest.fixture
def new_context(browser):  # type: ignore[no-untyped-def]
    """``new_context(**options)``: a fresh browser profile (its own cookies); closed after."""
    made = []

    def make(**options):  # type: ignore[no-untyped-def]
        options.setdefault("viewport", {"width": 1280, "height": 800})
        ctx = browser.new_context(**options)
        ctx.set_default_timeout(ACTION_TIMEOUT_MS)
        ctx.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
