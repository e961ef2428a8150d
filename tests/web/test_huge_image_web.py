"""An image over 40 megapixels (a few bytes of WebP) is shown as a file to
download, never decoded as a preview (contract section 19)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import register as api_user
from tests.security.patient import patient_start  # noqa: F401 (fixture)
from tests.security.test_input_attacks import webp
from tests.web.helpers import login, message, png_bytes, seed_guild

pytestmark = pytest.mark.e2e


def test_a_huge_image_is_a_file_card(live, new_context):
    alice_api = api_user(live.url, "alice")
    gid, ids = seed_guild(live.url, alice_api, "Club", ["general"])
    paths = []
    for name, data in [("huge.webp", webp(8000, 8000)), ("small.png", png_bytes())]:
        r = alice_api.post(f"{live.url}/api/upload", files={"file": (name, data)})
        assert r.status_code == 201, r.text
        paths.append(r.json()["path"])
    r = alice_api.post(
        f"{live.url}/api/channels/{ids['general']}/messages",
        json={"content": "two pictures", "files": paths},
    )
    assert r.status_code == 201, r.text
    page = login(new_context(), live.url, "alice", f"/channels/{gid}/{ids['general']}")
    row = message(page, "two pictures")
    link = row.get_by_role("link", name="Download huge.webp")
    expect(link).to_have_attribute("href", re.compile(r"^/uploads/.+huge\.webp$"))
    expect(row.locator("img.preview")).to_have_count(1)  # the small one only
    expect(row.locator("img.preview")).to_have_attribute("src", re.compile(r"small\.png$"))
