"""GET/HEAD /uploads/...: headers, ranges, conditional requests, unknown paths."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import assert_error
from tests.files import samples

# One engine: serving /uploads reads the store, never the database.
pytestmark = pytest.mark.one_engine


async def raw_get(app, path: str) -> tuple[int, bytes]:
    """Call the ASGI app with ``path`` exactly as given."""
    sent: list[dict] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


async def stored(client, data: bytes, name: str) -> str:
    r = await client.post("/api/upload", files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == 201, r.text
    return "/" + r.json()["path"]


class TestServeHeaders:
    async def test_image_is_inline_with_safe_headers(self, alice, anon):
        data = samples.png((7, 5))
        url = await stored(alice, data, "pic.png")
        r = await anon().get(url)
        assert r.status_code == 200 and r.content == data
        h = r.headers
        assert h["content-type"] == "image/png"
        assert h["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in h["content-security-policy"]
        assert "sandbox" in h["content-security-policy"]
        assert h["content-disposition"].startswith("inline;")
        assert h["cache-control"] == "public, max-age=31536000, immutable"
        assert h["etag"].startswith('"') and h["accept-ranges"] == "bytes"
        assert h["content-length"] == str(len(data))

    @pytest.mark.parametrize(
        ("name", "data", "ctype"),
        [
            ("notes.txt", samples.TEXT, "text/plain; charset=utf-8"),
            ("README.md", samples.MARKDOWN, "text/markdown; charset=utf-8"),
            ("t.csv", samples.CSV, "text/csv; charset=utf-8"),
            ("d.json", samples.JSON, "application/json"),
            ("doc.pdf", samples.PDF, "application/pdf"),
            ("a.zip", samples.ZIP, "application/zip"),
        ],
    )
    async def test_everything_else_is_an_attachment(self, alice, name, data, ctype):
        r = await alice.get(await stored(alice, data, name))
        assert r.status_code == 200 and r.content == data
        assert r.headers["content-type"] == ctype
        assert r.headers["content-disposition"].startswith("attachment;")
        assert f"filename*=UTF-8''{quote(name)}" in r.headers["content-disposition"]

    async def test_unicode_filename_in_disposition(self, alice):
        r = await alice.get(await stored(alice, b"x\n", "отчёт.txt"))
        disposition = r.headers["content-disposition"]
        assert "filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt" in disposition
        assert 'filename="_____.txt"' in disposition

    async def test_round_trip_is_byte_for_byte(self, alice):
        data = bytes(range(256)) * 300
        blob = samples.zip_of({"bin": data})
        r = await alice.get(await stored(alice, blob, "a.zip"))
        assert r.content == blob

    async def test_no_authentication_needed(self, alice, anon):
        url = await stored(alice, samples.TEXT, "a.txt")
        assert (await anon().get(url)).status_code == 200


class TestServeUnknown:
    @pytest.mark.parametrize(
        "path",
        [
            "/uploads/nothing/here.png",
            "/uploads/",
            "/uploads/%2e%2e/guildhall.db",
            "/uploads/..%2fsecret_key",
            "/uploads/emojis/1/x.png",
            "/uploads/emojis/notanumber/x.png",
            "/uploads/stickers/99999999999999999999999/x.png",
        ],
    )
    async def test_unknown_paths_are_404(self, anon, path):
        r = await anon().get(path)
        assert_error(r, 404, "NOT_FOUND")

    async def test_file_on_disk_without_a_row_is_not_served(self, anon, rt):
        folder = rt.settings.data_dir.resolve() / "uploads" / "planted"
        folder.mkdir(parents=True)
        (folder / "x.txt").write_text("planted")
        assert_error(await anon().get("/uploads/planted/x.txt"), 404, "NOT_FOUND")

    async def test_row_without_file_is_404(self, alice, anon, rt):
        url = await stored(alice, samples.TEXT, "a.txt")
        (rt.settings.data_dir.resolve() / url.lstrip("/")).unlink()
        assert_error(await anon().get(url), 404, "NOT_FOUND")

    async def test_data_dir_files_are_unreachable(self, app, rt):
        # Sent raw (HTTP clients would normalise the dot segments away).
        for path in ("/uploads/../secret_key", "/uploads/../guildhall.db", "/uploads/.staging/x"):
            status, body = await raw_get(app, path)
            assert status == 404 and b"SQLite" not in body and b"test-secret" not in body

    async def test_post_is_not_allowed(self, alice):
        url = await stored(alice, samples.TEXT, "a.txt")
        r = await alice.post(url)
        assert r.status_code in (404, 405) and r.json()["code"]


class TestServeRanges:
    DATA = bytes(range(256)) * 4  # 1024 bytes

    async def url(self, alice) -> str:
        return await stored(alice, samples.zip_of({"x": self.DATA}), "a.zip")

    async def test_single_range(self, alice):
        url = await self.url(alice)
        full = (await alice.get(url)).content
        r = await alice.get(url, headers={"Range": "bytes=10-19"})
        assert r.status_code == 206 and r.content == full[10:20]
        assert r.headers["content-range"] == f"bytes 10-19/{len(full)}"
        assert r.headers["content-length"] == "10"

    async def test_open_ended_and_suffix_ranges(self, alice):
        url = await self.url(alice)
        full = (await alice.get(url)).content
        r = await alice.get(url, headers={"Range": f"bytes={len(full) - 5}-"})
        assert r.status_code == 206 and r.content == full[-5:]
        r = await alice.get(url, headers={"Range": "bytes=-7"})
        assert r.status_code == 206 and r.content == full[-7:]
        r = await alice.get(url, headers={"Range": f"bytes=-{len(full) * 2}"})
        assert r.status_code == 206 and r.content == full
        r = await alice.get(url, headers={"Range": f"bytes=0-{len(full) * 9}"})
        assert r.status_code == 206 and r.content == full

    async def test_unsatisfiable(self, alice):
        url = await self.url(alice)
        size = len((await alice.get(url)).content)
        r = await alice.get(url, headers={"Range": f"bytes={size}-"})
        assert_error(r, 416, "RANGE_NOT_SATISFIABLE")
        assert r.headers["content-range"] == f"bytes */{size}"
        assert_error(
            await alice.get(url, headers={"Range": "bytes=-0"}), 416, "RANGE_NOT_SATISFIABLE"
        )

    @pytest.mark.parametrize(
        "header",
        [
            "bytes=0-1,4-5",
            ",".join(["bytes=0-0"] + [f"{i}-{i}" for i in range(2, 1000, 2)]),
            "items=0-5",
            "bytes=5-2",
            "bytes=abc",
            "bytes=" + "9" * 5000 + "-",
            "bytes=-",
        ],
    )
    async def test_many_or_malformed_ranges_get_the_whole_file(self, alice, header):
        url = await self.url(alice)
        full = (await alice.get(url)).content
        r = await alice.get(url, headers={"Range": header})
        assert r.status_code == 200 and r.content == full
        assert "multipart" not in r.headers["content-type"]

    async def test_if_range(self, alice):
        url = await self.url(alice)
        etag = (await alice.get(url)).headers["etag"]
        r = await alice.get(url, headers={"Range": "bytes=0-3", "If-Range": etag})
        assert r.status_code == 206 and len(r.content) == 4
        r = await alice.get(url, headers={"Range": "bytes=0-3", "If-Range": '"stale"'})
        assert r.status_code == 200

    async def test_if_none_match(self, alice):
        url = await self.url(alice)
        etag = (await alice.get(url)).headers["etag"]
        r = await alice.get(url, headers={"If-None-Match": etag})
        assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
        assert (await alice.get(url, headers={"If-None-Match": '"other"'})).status_code == 200


class TestServeHead:
    async def test_head_has_headers_without_body(self, alice):
        data = samples.png((9, 9))
        url = await stored(alice, data, "a.png")
        r = await alice.head(url)
        assert r.status_code == 200 and r.content == b""
        assert r.headers["content-length"] == str(len(data))
        assert r.headers["content-type"] == "image/png"
        assert r.headers["x-content-type-options"] == "nosniff"

    async def test_head_with_range(self, alice):
        url = await stored(alice, samples.PDF, "a.pdf")
        r = await alice.head(url, headers={"Range": "bytes=0-4"})
        assert r.status_code == 206 and r.content == b""
        assert r.headers["content-length"] == "5"

    async def test_head_unknown(self, anon):
        assert (await anon().head("/uploads/none/x.png")).status_code == 404
