"""File storage on both stores: the same interface tests run on the local data
dir and on an S3 bucket (a real moto server); then the HTTP API with
``storage="s3"``: uploads, serving with ranges, emojis, stickers, guild deletion."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from guildhall.config import Settings
from guildhall.errors import AppError
from guildhall.files import s3 as s3_module
from guildhall.files.s3 import S3Storage, key_prefix
from guildhall.files.storage import Gone, LocalStorage, make_storage
from tests.conftest import assert_error, free_port, make_settings
from tests.factories import make_guild
from tests.files import samples
from tests.files.conftest import put, read, stored_files, upload_rows
from tests.files.s3server import MotoServer

# One engine: the storage interface on S3; the database side of uploads runs in
# test_upload on both engines.
pytestmark = pytest.mark.one_engine

DATA = bytes(range(256)) * 800  # 200 KB: several 64 KB chunks


def staging_left(store: Any) -> list[Any]:
    return list(store.staging_dir.iterdir()) if store.staging_dir.exists() else []


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    """Each store, ready as at start-up (S3: a fresh bucket on the moto server)."""
    overrides: dict[str, Any] = {}
    if request.param == "s3":
        moto: MotoServer = request.getfixturevalue("moto_server")
        overrides = moto.settings(moto.new_bucket())
    made = make_storage(make_settings(tmp_path / "data", **overrides))
    await made.check()
    return made


class TestSaveAndOpen:
    async def test_round_trip_byte_for_byte(self, store):
        await put(store, "uploads/a1/data.bin", DATA)
        stored = await store.open("uploads/a1/data.bin")
        assert stored is not None and stored.size == len(DATA)
        assert await read(store, "uploads/a1/data.bin") == DATA

    async def test_guild_image_paths_round_trip(self, store):
        await put(store, "uploads/emojis/7/e.png", b"png bytes")
        assert await read(store, "uploads/emojis/7/e.png") == b"png bytes"

    async def test_large_file_round_trip(self, store):
        big = bytes(range(251)) * (9 * 1024 * 1024 // 251)  # past the multipart threshold
        await put(store, "uploads/big/blob.bin", big)
        assert await read(store, "uploads/big/blob.bin") == big

    async def test_staged_file_is_removed_after_saving(self, store):
        await put(store, "uploads/a2/x.txt", b"x")
        assert staging_left(store) == []

    async def test_unsaved_staging_is_discarded(self, store):
        with pytest.raises(RuntimeError):
            async with store.staging() as staged:
                await staged.write(b"abandoned")
                raise RuntimeError
        assert staging_left(store) == []

    @pytest.mark.parametrize(
        "path", ["uploads/../guildhall.db", "guildhall.db", "uploads", "uploads//x", ".staging/x"]
    )
    async def test_save_refuses_paths_outside_uploads(self, store, path):
        async with store.staging() as staged:
            await staged.write(b"x")
            with pytest.raises(ValueError):
                await store.save(staged, path)
        assert await store.open(path) is None


class TestRanges:
    @pytest.mark.parametrize(
        ("start", "end"),
        [(0, 1), (10, 150), (len(DATA) - 1, len(DATA)), (60_000, 140_000), (0, len(DATA))],
    )
    async def test_reads_exactly_the_range(self, store, start, end):
        await put(store, "uploads/r1/data.bin", DATA)
        assert await read(store, "uploads/r1/data.bin", start, end) == DATA[start:end]

    async def test_empty_range_reads_nothing(self, store):
        await put(store, "uploads/r2/data.bin", DATA)
        assert await read(store, "uploads/r2/data.bin", 50, 50) == b""


class TestMissing:
    @pytest.mark.parametrize(
        "path",
        [
            "uploads/nothing/here.bin",
            "uploads/emojis/1/none.png",
            "uploads/../guildhall.db",
            "guildhall.db",
            "uploads/a\x00b",
        ],
    )
    async def test_open_missing_or_malformed_is_none(self, store, path):
        assert await store.open(path) is None

    async def test_deleted_after_open_is_gone_before_any_byte(self, store):
        # A sweep or a delete between open() and the read: Gone, never a short read.
        await put(store, "uploads/g1/a.bin", DATA)
        stored = await store.open("uploads/g1/a.bin")
        assert stored is not None
        await store.delete(["uploads/g1/a.bin"])
        with pytest.raises(Gone):
            await anext(stored.iter_range(0, stored.size))

    async def test_deleted_after_the_first_read_still_reads_whole(self, store):
        await put(store, "uploads/g2/a.bin", DATA)
        stored = await store.open("uploads/g2/a.bin")
        assert stored is not None
        body = stored.iter_range(0, stored.size)
        first = await anext(body)
        await store.delete(["uploads/g2/a.bin"])
        assert first + b"".join([c async for c in body]) == DATA


class TestDelete:
    async def test_deleted_file_is_gone_and_others_stay(self, store):
        await put(store, "uploads/d1/a.txt", b"a")
        await put(store, "uploads/d2/b.txt", b"b")
        await store.delete(["uploads/d1/a.txt"])
        assert await store.open("uploads/d1/a.txt") is None
        assert await read(store, "uploads/d2/b.txt") == b"b"

    async def test_deletes_many_at_once(self, store):
        paths = [f"uploads/m{i}/f.txt" for i in range(5)]
        for p in paths:
            await put(store, p, p.encode())
        await store.delete(paths)
        for p in paths:
            assert await store.open(p) is None

    async def test_missing_and_hostile_paths_are_ignored(self, store):
        await put(store, "uploads/k1/keep.txt", b"keep")
        await store.delete(["uploads/none/x", "guildhall.db", "uploads/../guildhall.db", ""])
        assert await read(store, "uploads/k1/keep.txt") == b"keep"


def s3_store(moto: MotoServer, tmp_path: Any, bucket: str, **extra: Any) -> S3Storage:
    store = make_storage(make_settings(tmp_path, **moto.settings(bucket, **extra)))
    assert isinstance(store, S3Storage)
    return store


class TestS3Store:
    async def test_objects_are_keyed_by_public_path(self, moto_server, s3_bucket, tmp_path):
        store = s3_store(moto_server, tmp_path, s3_bucket)
        await put(store, "uploads/k2/f.bin", DATA)
        assert moto_server.keys(s3_bucket) == ["uploads/k2/f.bin"]
        assert moto_server.read(s3_bucket, "uploads/k2/f.bin") == DATA
        assert not (tmp_path / "uploads").exists()  # nothing kept on the node's disk

    async def test_prefix_is_prepended_to_every_key(self, moto_server, s3_bucket, tmp_path):
        store = s3_store(moto_server, tmp_path, s3_bucket, s3_prefix="/tenant/a/")
        await put(store, "uploads/p1/f.txt", b"prefixed")
        assert moto_server.keys(s3_bucket) == ["tenant/a/uploads/p1/f.txt"]
        assert await read(store, "uploads/p1/f.txt") == b"prefixed"
        unprefixed = s3_store(moto_server, tmp_path, s3_bucket)
        assert await unprefixed.open("uploads/p1/f.txt") is None
        await store.delete(["uploads/p1/f.txt"])
        assert moto_server.keys(s3_bucket) == []

    @pytest.mark.parametrize(
        ("raw", "expected"), [("", ""), ("/", ""), ("a", "a/"), ("/a/b/", "a/b/"), ("a/b", "a/b/")]
    )
    def test_key_prefix_normalised(self, raw, expected):
        assert key_prefix(raw) == expected

    async def test_large_upload_is_multipart(self, moto_server, s3_bucket, tmp_path):
        store = s3_store(moto_server, tmp_path, s3_bucket)
        big = b"z" * (9 * 1024 * 1024)
        await put(store, "uploads/mp/big.bin", big)
        head = moto_server.client().head_object(Bucket=s3_bucket, Key="uploads/mp/big.bin")
        assert head["ContentLength"] == len(big)
        assert head["ETag"].strip('"').endswith("-2")  # two parts of 8 MB at most

    async def test_two_nodes_share_one_bucket(self, moto_server, s3_bucket, tmp_path):
        node1 = s3_store(moto_server, tmp_path / "n1", s3_bucket)
        node2 = s3_store(moto_server, tmp_path / "n2", s3_bucket)
        await put(node1, "uploads/sh/f.bin", DATA)
        assert await read(node2, "uploads/sh/f.bin", 5, 70_000) == DATA[5:70_000]
        await node2.delete(["uploads/sh/f.bin"])
        assert await node1.open("uploads/sh/f.bin") is None

    async def test_delete_goes_in_batches(self, moto_server, s3_bucket, tmp_path, monkeypatch):
        monkeypatch.setattr(s3_module, "DELETE_BATCH", 2)
        store = s3_store(moto_server, tmp_path, s3_bucket)
        paths = [f"uploads/b{i}/f.txt" for i in range(5)]
        for p in paths:
            await put(store, p, b"x")
        calls: list[int] = []
        real = store.client.delete_objects

        def counting(**kwargs: Any) -> Any:
            calls.append(len(kwargs["Delete"]["Objects"]))
            return real(**kwargs)

        monkeypatch.setattr(store.client, "delete_objects", counting)
        await store.delete(paths)
        assert calls == [2, 2, 1]
        assert moto_server.keys(s3_bucket) == []

    async def test_missing_bucket_stops_start_up(self, moto_server, tmp_path):
        store = s3_store(moto_server, tmp_path, "no-such-bucket-here")
        with pytest.raises(RuntimeError, match="no-such-bucket-here"):
            await store.check()

    async def test_unreachable_store(self, tmp_path):
        settings = make_settings(
            tmp_path,
            storage="s3",
            s3_bucket="b",
            s3_endpoint_url=f"http://127.0.0.1:{free_port()}",
            s3_region="us-east-1",
            s3_access_key_id="k",
            s3_secret_access_key="s",
        )
        store = make_storage(settings)
        with pytest.raises(RuntimeError, match="cannot be used"):
            await store.check()
        with pytest.raises(AppError) as opened:
            await store.open("uploads/x/y.bin")
        assert opened.value.status == 503
        async with store.staging() as staged:
            await staged.write(b"x")
            with pytest.raises(AppError) as saved:
                await store.save(staged, "uploads/x/y.bin")
        assert saved.value.status == 503
        assert staging_left(store) == []
        await store.delete(["uploads/x/y.bin"])  # logged, never raised after a commit


class TestSettings:
    def test_local_is_the_default(self, tmp_path):
        settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
        assert settings.storage == "local"
        assert isinstance(make_storage(settings), LocalStorage)

    def test_s3_needs_a_bucket(self, tmp_path):
        with pytest.raises(ValidationError, match="GUILDHALL_S3_BUCKET"):
            Settings(_env_file=None, data_dir=tmp_path, storage="s3")  # type: ignore[call-arg]

    def test_unknown_storage_is_refused(self, tmp_path):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, data_dir=tmp_path, storage="ftp")  # type: ignore[call-arg]

    def test_read_from_environment(self, tmp_path, monkeypatch):
        env = {
            "GUILDHALL_STORAGE": "s3",
            "GUILDHALL_S3_BUCKET": "files",
            "GUILDHALL_S3_ENDPOINT_URL": "http://127.0.0.1:9",
            "GUILDHALL_S3_REGION": "eu-west-1",
            "GUILDHALL_S3_ACCESS_KEY_ID": "AKID",
            "GUILDHALL_S3_SECRET_ACCESS_KEY": "very-secret",
            "GUILDHALL_S3_PREFIX": "gh",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
        assert "very-secret" not in repr(settings)
        store = make_storage(settings)
        assert isinstance(store, S3Storage)
        assert store.bucket == "files" and store.prefix == "gh/"
        assert store.client.meta.region_name == "eu-west-1"
        assert store.client.meta.endpoint_url == "http://127.0.0.1:9"


# ---- the HTTP API on S3 ----------------------------------------------------------


class OnS3:
    @pytest.fixture
    def settings_overrides(self, moto_server, s3_bucket):
        return moto_server.settings(s3_bucket)


async def upload(client: Any, data: bytes, name: str) -> dict[str, Any]:
    r = await client.post("/api/upload", files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == 201, r.text
    return r.json()


BLOB = samples.zip_of({f"f{i}.bin": bytes(range(256)) * 300 for i in range(6)})


class TestUploadOnS3(OnS3):
    async def test_upload_is_stored_in_the_bucket_and_served_byte_for_byte(
        self, rt, alice, anon, moto_server, s3_bucket
    ):
        body = await upload(alice, BLOB, "bundle.zip")
        assert body["size"] == len(BLOB) and body["mimetype"] == "application/zip"
        assert moto_server.keys(s3_bucket) == [body["path"]]
        assert moto_server.read(s3_bucket, body["path"]) == BLOB
        assert stored_files(rt) == []  # neither uploads/ nor a staged file on disk
        r = await anon().get("/" + body["path"])
        assert r.status_code == 200 and r.content == BLOB
        h = r.headers
        assert h["content-type"] == "application/zip"
        assert h["content-length"] == str(len(BLOB))
        assert h["content-disposition"].startswith("attachment;")
        assert h["x-content-type-options"] == "nosniff"
        assert "sandbox" in h["content-security-policy"]
        assert h["accept-ranges"] == "bytes" and h["etag"].startswith('"')

    async def test_image_is_served_inline(self, alice, anon):
        png = samples.png((9, 9))
        body = await upload(alice, png, "p.png")
        r = await anon().get("/" + body["path"])
        assert r.status_code == 200 and r.content == png
        assert r.headers["content-type"] == "image/png"
        assert r.headers["content-disposition"].startswith("inline;")

    async def test_store_failure_is_503_and_leaves_nothing(self, rt, alice, moto_server, s3_bucket):
        moto_server.client().delete_bucket(Bucket=s3_bucket)
        r = await alice.post("/api/upload", files={"file": ("a.txt", b"hello", "text/plain")})
        assert_error(r, 503, "INTERNAL_ERROR")
        assert await upload_rows(rt) == 0
        assert stored_files(rt) == []


class TestServeOnS3(OnS3):
    @pytest.fixture
    async def url(self, alice):
        return "/" + (await upload(alice, BLOB, "bundle.zip"))["path"]

    async def test_single_range_is_206(self, anon, url):
        r = await anon().get(url, headers={"Range": "bytes=100-199"})
        assert r.status_code == 206 and r.content == BLOB[100:200]
        assert r.headers["content-range"] == f"bytes 100-199/{len(BLOB)}"
        assert r.headers["content-length"] == "100"

    async def test_suffix_and_open_ended_ranges(self, anon, url):
        r = await anon().get(url, headers={"Range": "bytes=-10"})
        assert r.status_code == 206 and r.content == BLOB[-10:]
        r = await anon().get(url, headers={"Range": f"bytes={len(BLOB) - 5}-"})
        assert r.status_code == 206 and r.content == BLOB[-5:]

    async def test_range_past_the_end_is_416(self, anon, url):
        r = await anon().get(url, headers={"Range": f"bytes={len(BLOB)}-"})
        assert r.status_code == 416
        assert r.headers["content-range"] == f"bytes */{len(BLOB)}"

    async def test_several_ranges_get_the_whole_file(self, anon, url):
        r = await anon().get(url, headers={"Range": "bytes=0-1,5-6"})
        assert r.status_code == 200 and r.content == BLOB

    async def test_head_has_the_size_and_no_body(self, anon, url):
        r = await anon().head(url)
        assert r.status_code == 200 and r.content == b""
        assert r.headers["content-length"] == str(len(BLOB))
        r = await anon().head(url, headers={"Range": "bytes=0-9"})
        assert r.status_code == 206 and r.headers["content-length"] == "10"

    async def test_conditional_request_is_304(self, anon, url):
        etag = (await anon().get(url)).headers["etag"]
        r = await anon().get(url, headers={"If-None-Match": etag})
        assert r.status_code == 304 and r.content == b""

    async def test_unknown_path_is_404(self, anon, url):
        assert_error(await anon().get("/uploads/0123456789abcdef/none.zip"), 404, "NOT_FOUND")
        assert_error(await anon().get(url + "x"), 404, "NOT_FOUND")

    async def test_recorded_but_missing_object_is_404(self, anon, url, moto_server, s3_bucket):
        moto_server.client().delete_object(Bucket=s3_bucket, Key=url.lstrip("/"))
        assert_error(await anon().get(url), 404, "NOT_FOUND")

    async def test_object_not_recorded_is_404(self, anon, moto_server, s3_bucket):
        # An object in the bucket with no row is never served: the row is the truth.
        key = "uploads/feedfacefeedfacefeedfacefeedface/planted.txt"
        moto_server.client().put_object(Bucket=s3_bucket, Key=key, Body=b"planted")
        assert_error(await anon().get("/" + key), 404, "NOT_FOUND")


class TestGuildImagesOnS3(OnS3):
    @pytest.mark.parametrize(
        ("kind", "name", "size"), [("emojis", "party", (16, 16)), ("stickers", "wave", (32, 32))]
    )
    async def test_create_and_delete_store_and_remove_the_object(
        self, rt, alice, anon, moto_server, s3_bucket, kind, name, size
    ):
        gid = await make_guild(alice)
        png = samples.png(size)
        r = await alice.post(
            f"/api/guilds/{gid}/{kind}",
            files={"file": ("i.png", png, "image/png")},
            data={"name": name},
        )
        assert r.status_code == 201, r.text
        image = r.json()
        assert moto_server.keys(s3_bucket) == [image["file_path"]]
        served = await anon().get("/" + image["file_path"])
        assert served.status_code == 200 and served.content == png
        assert (await alice.delete(f"/api/{kind}/{image['id']}")).status_code == 200
        assert moto_server.keys(s3_bucket) == []
        assert_error(await anon().get("/" + image["file_path"]), 404, "NOT_FOUND")

    async def test_refused_emoji_leaves_no_object(self, rt, alice, moto_server, s3_bucket):
        gid = await make_guild(alice)
        form = {"files": {"file": ("e.png", samples.png(), "image/png")}, "data": {"name": "dup"}}
        assert (await alice.post(f"/api/guilds/{gid}/emojis", **form)).status_code == 201
        before = moto_server.keys(s3_bucket)
        r = await alice.post(f"/api/guilds/{gid}/emojis", **form)
        assert_error(r, 409, "CONFLICT", "name")
        assert moto_server.keys(s3_bucket) == before

    async def test_guild_delete_removes_its_objects(self, rt, alice, moto_server, s3_bucket):
        gid = await make_guild(alice)
        other = await make_guild(alice, name="other")
        emoji = await alice.post(
            f"/api/guilds/{gid}/emojis",
            files={"file": ("e.png", samples.png(), "image/png")},
            data={"name": "smile"},
        )
        sticker = await alice.post(
            f"/api/guilds/{gid}/stickers",
            files={"file": ("s.png", samples.png(), "image/png")},
            data={"name": "wave"},
        )
        assert emoji.status_code == 201 and sticker.status_code == 201
        attached = await upload(alice, BLOB, "a.zip")
        kept = await upload(alice, b"elsewhere", "b.txt")
        for guild, path in ((gid, attached["path"]), (other, kept["path"])):
            cid = (await alice.post(f"/api/guilds/{guild}/channels", json={"name": "c"})).json()[
                "id"
            ]
            r = await alice.post(
                f"/api/channels/{cid}/messages", json={"content": "file", "files": [path]}
            )
            assert r.status_code == 201, r.text
        assert len(moto_server.keys(s3_bucket)) == 4

        assert (await alice.delete(f"/api/guilds/{gid}")).status_code == 200
        assert moto_server.keys(s3_bucket) == [kept["path"]]
