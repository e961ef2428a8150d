"""POST /api/upload: accepted types, hostile bodies, limits, authorization."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.files import samples
from tests.files.conftest import multipart, stored_files, upload_rows

MB = 1024 * 1024


async def upload(client, data: bytes, name: str = "file.bin", ctype: str = "image/png"):
    return await client.post("/api/upload", files={"file": (name, data, ctype)})


class TestUploadAccepts:
    @pytest.mark.parametrize(("name", "data", "mimetype"), samples.ACCEPTED)
    async def test_every_allowed_type(self, alice, rt, name, data, mimetype):
        r = await upload(alice, data, name, "application/octet-stream")
        assert r.status_code == 201, r.text
        body = r.json()
        assert body == {
            "filename": name,
            "path": body["path"],
            "size": len(data),
            "mimetype": mimetype,
            "preview": mimetype.startswith("image/"),  # small images only
        }
        assert body["path"].startswith("uploads/") and body["path"].endswith("/" + name)
        assert await upload_rows(rt) == 1

    async def test_path_is_unguessable_and_unique(self, alice):
        paths = set()
        for _ in range(3):
            r = await upload(alice, samples.png(), "same.png")
            paths.add(r.json()["path"])
        assert len(paths) == 3
        for path in paths:
            _, token, name = path.split("/")
            assert len(token) >= 32 and int(token, 16) >= 0 and name == "same.png"

    async def test_client_content_type_is_ignored(self, alice):
        r = await upload(alice, samples.PDF, "doc.pdf", "image/png")
        assert r.status_code == 201 and r.json()["mimetype"] == "application/pdf"

    async def test_row_belongs_to_the_uploader(self, alice, rt):
        from sqlalchemy import select

        from guildhall.models import Upload

        r = await upload(alice, samples.png(), "a.png")
        async with rt.transaction(write=False) as tx:
            row = await tx.session.scalar(select(Upload).where(Upload.path == r.json()["path"]))
        assert row is not None and row.owner_id == alice.user["id"]
        assert row.size == len(samples.png()) and row.mimetype == "image/png"

    async def test_bearer_token_needs_no_csrf(self, anon, alice):
        login = await anon().post(
            "/api/login", json={"username": "alice", "password": "correct horse battery"}
        )
        bot = anon()
        r = await bot.post(
            "/api/upload",
            files={"file": ("a.txt", b"hi\n", "text/plain")},
            headers={"Authorization": f"Bearer {login.json()['token']}"},
        )
        assert r.status_code == 201, r.text

    async def test_extra_fields_are_ignored(self, alice):
        r = await alice.post(
            "/api/upload",
            files={"file": ("a.txt", b"hello\n", "text/plain")},
            data={"comment": "ignored"},
        )
        assert r.status_code == 201


class TestUploadFilenames:
    @pytest.mark.parametrize(
        ("sent", "kept"),
        [
            ("../../../etc/passwd", "passwd.txt"),
            ("..\\..\\boot.ini", "boot.ini"),
            ("new\nline.txt", "newline.txt"),
            ("", "file.txt"),
            ("q?x#y%z.txt", "q_x_y_z.txt"),
            ("run.bat", "run.bat.txt"),
        ],
    )
    async def test_hostile_names_are_sanitized(self, alice, rt, sent, kept):
        r = await upload(alice, b"plain words\n", sent, "text/plain")
        assert r.status_code == 201, r.text
        assert r.json()["filename"] == kept
        assert r.json()["path"].endswith("/" + kept)
        # Whatever the name, the file is inside its own directory under uploads/.
        (only,) = stored_files(rt)
        assert only.parent.parent == rt.settings.data_dir.resolve() / "uploads"

    async def test_raw_nul_and_control_bytes_in_the_header(self, alice):
        body, headers = multipart(
            [('Content-Disposition: form-data; name="file"; filename="a\x00b\x1bc.txt"', "hi")]
        )
        r = await alice.post("/api/upload", content=body, headers=headers)
        assert r.status_code == 201, r.text
        assert r.json()["filename"] == "abc.txt"

    async def test_very_long_name(self, alice):
        r = await upload(alice, b"words\n", "n" * 5000 + ".md", "text/plain")
        assert r.status_code == 201
        assert len(r.json()["filename"]) == 100 and r.json()["filename"].endswith(".md")
        assert r.json()["mimetype"] == "text/markdown"

    async def test_unicode_name_round_trips(self, alice):
        r = await upload(alice, b"words\n", "отчёт 2024.txt", "text/plain")
        assert r.json()["filename"] == "отчёт 2024.txt"
        fetched = await alice.get("/" + r.json()["path"])
        assert fetched.status_code == 200 and fetched.content == b"words\n"


class TestUploadRefuses:
    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("cat.png", samples.HTML),
            ("notes.txt", samples.HTML),
            ("logo.svg", samples.SVG),
            ("logo.png", samples.SVG),
            ("tool.exe", samples.PE),
            ("tool.png", samples.ELF),
            ("app", samples.MACHO),
            ("script.txt", samples.SHELL),
            ("cat.gif", samples.GIF_HTML_POLYGLOT),
            ("blob.bin", bytes(range(256)) * 8),
            ("bad.json", b"{nope"),
        ],
    )
    async def test_disallowed_content(self, alice, rt, name, data):
        r = await upload(alice, data, name, "image/png")
        assert_error(r, 400, "INVALID_FILE_TYPE", "file")
        assert stored_files(rt) == [] and await upload_rows(rt) == 0

    async def test_png_declaring_a_huge_canvas(self, alice, rt):
        r = await upload(alice, samples.png_declaring(100_000, 100_000), "bomb.png")
        assert_error(r, 400, "INVALID_FILE_TYPE", "file")
        assert stored_files(rt) == []

    async def test_empty_file(self, alice, rt):
        r = await upload(alice, b"", "empty.txt")
        assert_error(r, 400, "INVALID_INPUT", "file")
        assert stored_files(rt) == [] and await upload_rows(rt) == 0

    async def test_missing_file_field(self, alice):
        r = await alice.post("/api/upload", files={"other": ("a.txt", b"x", "text/plain")})
        assert_error(r, 400, "MISSING_REQUIRED_FIELD", "file")

    async def test_not_multipart(self, alice):
        assert_error(
            await alice.post("/api/upload", json={"file": "x"}), 400, "MISSING_REQUIRED_FIELD"
        )
        assert_error(await alice.post("/api/upload"), 400, "MISSING_REQUIRED_FIELD", "file")

    async def test_multipart_without_boundary(self, alice):
        r = await alice.post(
            "/api/upload", content=b"x", headers={"Content-Type": "multipart/form-data"}
        )
        assert_error(r, 400, "INVALID_INPUT")

    async def test_malformed_and_truncated_bodies(self, alice, rt):
        body, headers = multipart(
            [('Content-Disposition: form-data; name="file"; filename="a.txt"', "hello")]
        )
        r = await alice.post("/api/upload", content=body[:-20], headers=headers)
        assert_error(r, 400, "INVALID_INPUT")
        r = await alice.post("/api/upload", content=b"garbage" * 10, headers=headers)
        assert_error(r, 400, "INVALID_INPUT")
        assert stored_files(rt) == []

    async def test_two_files(self, alice, rt):
        part = ('Content-Disposition: form-data; name="file"; filename="a.txt"', "hello")
        body, headers = multipart([part, part])
        r = await alice.post("/api/upload", content=body, headers=headers)
        assert_error(r, 400, "INVALID_INPUT", "file")
        assert stored_files(rt) == [] and await upload_rows(rt) == 0

    async def test_many_small_parts(self, alice, rt):
        parts = [(f'Content-Disposition: form-data; name="f{i}"', "x") for i in range(5000)]
        parts.append(('Content-Disposition: form-data; name="file"; filename="a.txt"', "hi"))
        body, headers = multipart(parts)
        r = await alice.post("/api/upload", content=body, headers=headers)
        assert_error(r, 400, "INVALID_INPUT")
        assert stored_files(rt) == [] and await upload_rows(rt) == 0

    async def test_huge_part_header(self, alice, rt):
        name = "a" * 100_000
        body, headers = multipart(
            [(f'Content-Disposition: form-data; name="file"; filename="{name}.txt"', "hi")]
        )
        r = await alice.post("/api/upload", content=body, headers=headers)
        assert_error(r, 400, "INVALID_INPUT")
        assert stored_files(rt) == []

    async def test_many_part_headers(self, alice):
        headers_block = "\r\n".join(
            ['Content-Disposition: form-data; name="file"; filename="a.txt"']
            + [f"X-Junk-{i}: y" for i in range(50)]
        )
        body, headers = multipart([(headers_block, "hi")])
        r = await alice.post("/api/upload", content=body, headers=headers)
        assert_error(r, 400, "INVALID_INPUT")

    async def test_part_without_name(self, alice):
        body, headers = multipart([('Content-Disposition: form-data; filename="a.txt"', "x")])
        assert_error(
            await alice.post("/api/upload", content=body, headers=headers), 400, "INVALID_INPUT"
        )

    async def test_huge_ignored_field(self, alice, rt):
        big = "x" * (11 * MB)
        body, headers = multipart([('Content-Disposition: form-data; name="junk"', big)])
        r = await alice.post("/api/upload", content=body, headers=headers)
        assert_error(r, 413, "FILE_TOO_LARGE")
        assert stored_files(rt) == []


class TestUploadSizeLimit:
    async def test_exactly_the_limit_passes(self, alice, rt):
        data = b"a" * rt.settings.max_upload_bytes
        r = await upload(alice, data, "big.txt", "text/plain")
        assert r.status_code == 201, r.text
        assert r.json()["size"] == 10 * MB

    async def test_one_byte_more_fails_and_leaves_nothing(self, alice, rt):
        data = b"a" * (rt.settings.max_upload_bytes + 1)
        r = await upload(alice, data, "big.txt", "text/plain")
        assert_error(r, 413, "FILE_TOO_LARGE")
        assert stored_files(rt) == [] and await upload_rows(rt) == 0

    async def test_chunked_body_over_the_limit_stops(self, alice, rt):
        body, headers = multipart(
            [('Content-Disposition: form-data; name="file"; filename="a.txt"', "a" * (12 * MB))]
        )
        sent = 0

        async def stream():
            nonlocal sent
            for i in range(0, len(body), 64 * 1024):
                sent += 1
                yield body[i : i + 64 * 1024]

        r = await alice.post("/api/upload", content=stream(), headers=headers)
        assert_error(r, 413, "FILE_TOO_LARGE")
        # The server stopped reading near the limit, not at the end of the body.
        assert sent * 64 * 1024 < 11 * MB
        assert stored_files(rt) == []


@pytest.mark.parametrize("settings_overrides", [{"max_upload_bytes": 1000}])
class TestUploadConfiguredLimit:
    async def test_limit_is_the_setting(self, alice, rt):
        assert (await upload(alice, b"b" * 1000, "a.txt")).status_code == 201
        assert_error(await upload(alice, b"b" * 1001, "a.txt"), 413, "FILE_TOO_LARGE")


@pytest.mark.parametrize("settings_overrides", [{"upload_rate_limit": "2/minute"}])
class TestUploadRateLimit:
    async def test_third_upload_in_a_minute_is_refused(self, alice, bob, rt):
        for _ in range(2):
            assert (await upload(alice, b"hi\n", "a.txt")).status_code == 201
        r = await upload(alice, b"hi\n", "a.txt")
        assert_error(r, 429, "RATE_LIMIT_EXCEEDED")
        assert "Retry-After" in r.headers
        assert await upload_rows(rt) == 2
        # Per user: bob still may.
        assert (await upload(bob, b"hi\n", "a.txt")).status_code == 201

    async def test_limit_is_checked_before_the_body(self, alice, rt):
        for _ in range(2):
            await upload(alice, b"hi\n", "a.txt")
        r = await alice.post("/api/upload", content=b"not even multipart")
        assert_error(r, 429, "RATE_LIMIT_EXCEEDED")


class TestUploadAuth:
    async def test_anonymous(self, anon, rt):
        r = await anon().post("/api/upload", files={"file": ("a.txt", b"x\n", "text/plain")})
        assert_error(r, 401, "AUTH_REQUIRED")
        assert stored_files(rt) == []

    async def test_cookie_without_csrf(self, alice, rt):
        r = await alice.post(
            "/api/upload",
            files={"file": ("a.txt", b"x\n", "text/plain")},
            headers={"X-CSRF-Token": "wrong"},
        )
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        assert stored_files(rt) == [] and await upload_rows(rt) == 0
