"""Input attacks on the real ``guildhall serve`` process (contract section 19):
a tiny image of huge dimensions, a reaction name with a trailing newline."""

from __future__ import annotations

import io
import urllib.parse
from typing import Any

import pytest
import requests
from PIL import Image

from tests.e2e.conftest import live, register, spawn_server  # noqa: F401 (fixtures)
from tests.files import samples
from tests.security.patient import patient_start  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e


def webp(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(out, "WEBP", lossless=True, method=0)
    return out.getvalue()


def guild_with_channel(base: str, owner: requests.Session) -> tuple[int, int]:
    gid = owner.post(f"{base}/api/guilds", json={"name": "G"}).json()["id"]
    r = owner.post(f"{base}/api/guilds/{gid}/channels", json={"name": "general"})
    return gid, r.json()["id"]


class TestHugeImages:
    """Finding: "A 2.5 KB WebP of 8000x8000 is served inline and previewed by the
    web client" (every viewer's browser decodes 256 MB)."""

    def test_over_40_megapixels_is_a_download(self, live):  # noqa: F811
        alice = register(live.url, "alice")
        _, channel = guild_with_channel(live.url, alice)
        cases: list[tuple[bytes, bool]] = [
            (webp(8000, 8000), False),
            (webp(8000, 5001), False),  # 40,008,000 pixels
            (webp(8000, 5000), True),  # exactly 40 megapixels
            (samples.png(), True),
        ]
        for data, preview in cases:
            assert len(data) < 5000
            r = alice.post(f"{live.url}/api/upload", files={"file": ("pic.webp", data)})
            assert r.status_code == 201, r.text
            entry = r.json()
            assert entry["mimetype"].startswith("image/")
            assert entry["preview"] is preview
            got = requests.get(f"{live.url}/{entry['path']}", timeout=10)
            disposition = got.headers["Content-Disposition"]
            assert disposition.startswith("inline" if preview else "attachment"), disposition
            r = alice.post(
                f"{live.url}/api/channels/{channel}/messages",
                json={"content": "look", "files": [entry["path"]]},
            )
            assert r.json()["files"] == [entry]
            history = alice.get(f"{live.url}/api/channels/{channel}/messages").json()
            assert history["messages"][-1]["files"] == [entry]

    def test_documents_are_not_previews(self, live):  # noqa: F811
        alice = register(live.url, "alice")
        r = alice.post(f"{live.url}/api/upload", files={"file": ("a.txt", b"hello")})
        assert r.status_code == 201 and r.json()["preview"] is False


class TestReactionNames:
    """Finding: ``:name:\\n`` passed a ``$`` regex and became a second reaction."""

    def test_only_the_exact_name(self, live):  # noqa: F811
        alice = register(live.url, "alice")
        gid, channel = guild_with_channel(live.url, alice)
        r = alice.post(
            f"{live.url}/api/guilds/{gid}/emojis",
            data={"name": "party"},
            files={"file": ("p.png", samples.png())},
        )
        assert r.status_code == 201, r.text
        mid = alice.post(
            f"{live.url}/api/channels/{channel}/messages", json={"content": "hi"}
        ).json()["id"]

        def react(emoji: str) -> Any:
            quoted = urllib.parse.quote(emoji, safe="")
            return alice.put(f"{live.url}/api/messages/{mid}/reactions/{quoted}")

        assert react(":party:").status_code == 200
        for forged in [":party:\n", ":party:\r\n", "\n:party:", ":party: ", ":party:x", ":party::"]:
            r = react(forged)
            assert r.status_code == 400 and r.json()["code"] == "INVALID_INPUT", (forged, r.text)
        reactions = alice.get(f"{live.url}/api/channels/{channel}/messages").json()
        assert reactions["messages"][0]["reactions"] == [
            {"emoji": ":party:", "count": 1, "users": ["alice"]}
        ]


class TestInvites:
    """Issue 12: no cap per guild, and an unpaged list."""

    def test_a_guild_has_at_most_n_invites(self, spawn_server):  # noqa: F811
        server = spawn_server(GUILDHALL_MAX_INVITES_PER_GUILD="3")
        alice, bob = register(server.url, "alice"), register(server.url, "bob")
        gid, _ = guild_with_channel(server.url, alice)
        url = f"{server.url}/api/guilds/{gid}/invites"
        once = alice.post(url, json={"max_uses": 1}).json()["code"]
        for _ in range(2):
            assert alice.post(url, json={}).status_code == 201
        r = alice.post(url, json={})
        assert r.status_code == 400 and r.json()["code"] == "LIMIT_REACHED", r.text
        # A used-up invite makes room for a new one.
        assert bob.post(f"{server.url}/api/invites/{once}/join").status_code == 200
        assert bob.post(url, json={}).status_code == 201
        assert len(alice.get(url).json()) == 3
        assert alice.post(url, json={}).json()["code"] == "LIMIT_REACHED"

    def test_the_list_is_paged(self, live):  # noqa: F811
        alice = register(live.url, "alice")
        gid, _ = guild_with_channel(live.url, alice)
        url = f"{live.url}/api/guilds/{gid}/invites"
        codes = [alice.post(url, json={}).json()["code"] for _ in range(5)]
        everything = alice.get(url)
        assert [i["code"] for i in everything.json()] == codes  # unpaged: a list, as before
        newest = alice.get(url, params={"limit": 2}).json()
        assert [i["code"] for i in newest] == codes[3:]
        older = alice.get(url, params={"limit": 2, "before": newest[0]["code"]}).json()
        assert [i["code"] for i in older] == codes[1:3]
        oldest = alice.get(url, params={"before": codes[1]}).json()
        assert [i["code"] for i in oldest] == codes[:1]
        for bad in [{"before": "nope"}, {"before": "x\n"}, {"limit": "x"}, {"limit": "1.5"}]:
            r = alice.get(url, params=bad)
            assert r.status_code == 400 and r.json()["code"] == "INVALID_INPUT", (bad, r.text)
        other = alice.post(f"{live.url}/api/guilds", json={"name": "H"}).json()["id"]
        foreign = alice.post(f"{live.url}/api/guilds/{other}/invites", json={}).json()["code"]
        r = alice.get(url, params={"before": foreign})
        assert r.status_code == 400


class TestHeadersAndMetrics:
    def test_the_csp_connects_to_this_origin_only(self, live):  # noqa: F811
        csp = requests.get(f"{live.url}/", timeout=5).headers["Content-Security-Policy"]
        assert "connect-src 'self';" in csp
        assert "ws:" not in csp and "wss:" not in csp

    def test_metrics_can_be_restricted(self, spawn_server):  # noqa: F811
        closed = spawn_server(GUILDHALL_METRICS_ALLOW="10.0.0.0/8")
        r = requests.get(f"{closed.url}/metrics", timeout=5)
        assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
        opened = spawn_server(GUILDHALL_METRICS_ALLOW="10.0.0.0/8, 127.0.0.1")
        r = requests.get(f"{opened.url}/metrics", timeout=5)
        assert r.status_code == 200 and "guildhall" in r.text
