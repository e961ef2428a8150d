"""The local store: path mapping, staging, saving, deleting."""

from __future__ import annotations

import os
import time

import pytest

from guildhall.files.storage import delete_paths
from tests.files.conftest import put, read
from tests.guilds.helpers import on_disk

# One engine: the local file store never reaches the database.
pytestmark = pytest.mark.one_engine


class TestPathFor:
    def test_public_paths_map_under_uploads(self, rt):
        root = rt.settings.data_dir.resolve() / "uploads"
        assert on_disk(rt, "uploads/abc/x.png") == root / "abc" / "x.png"
        assert on_disk(rt, "uploads/emojis/1/e.gif") == root / "emojis" / "1" / "e.gif"

    @pytest.mark.parametrize(
        "path",
        [
            "guildhall.db",
            "secret_key",
            "uploads",
            "uploads/",
            "uploads/../guildhall.db",
            "uploads/a/../../secret_key",
            "/etc/passwd",
            "uploads//x",
            "uploads/./x",
            "uploads/a\\..\\..\\x",
            "uploads/a\x00b",
            ".staging/x",
        ],
    )
    def test_anything_else_maps_nowhere(self, rt, path):
        assert on_disk(rt, path) is None

    def test_symlink_out_of_uploads_is_refused(self, rt, tmp_path):
        root = rt.settings.data_dir.resolve() / "uploads"
        (root / "link").symlink_to(tmp_path)
        assert on_disk(rt, "uploads/link/x") is None


class TestStagingAndSave:
    async def test_saved_file_moves_into_place(self, rt):
        store = rt.storage
        async with store.staging() as staged:
            await staged.write(b"hello ")
            await staged.write(b"world")
            await store.save(staged, "uploads/t1/a.txt")
        target = on_disk(rt, "uploads/t1/a.txt")
        assert target is not None and target.read_bytes() == b"hello world"
        assert list(store.staging_dir.iterdir()) == []

    async def test_unsaved_staging_is_discarded(self, rt):
        store = rt.storage
        with pytest.raises(RuntimeError):
            async with store.staging() as staged:
                await staged.write(b"x")
                raise RuntimeError
        assert list(store.staging_dir.iterdir()) == []

    async def test_save_refuses_paths_outside_uploads(self, rt):
        store = rt.storage
        async with store.staging() as staged:
            with pytest.raises(ValueError):
                await store.save(staged, "uploads/../guildhall.db")

    async def test_open_reads_ranges(self, rt):
        store = rt.storage
        await put(store, "uploads/t2/b.bin", bytes(range(200)))
        stored = await store.open("uploads/t2/b.bin")
        assert stored is not None and stored.size == 200
        assert await read(store, "uploads/t2/b.bin", 10, 150) == bytes(range(10, 150))
        assert await store.open("uploads/t2/missing.bin") is None
        assert await store.open("uploads/t2") is None  # a directory is not a file

    def test_stale_staged_files_are_swept(self, rt):
        store = rt.storage
        store.staging_dir.mkdir(parents=True, exist_ok=True)
        old, fresh = store.staging_dir / "old.part", store.staging_dir / "fresh.part"
        old.write_bytes(b"x")
        fresh.write_bytes(b"x")
        two_days_ago = time.time() - 2 * 24 * 3600
        os.utime(old, (two_days_ago, two_days_ago))
        assert store.sweep_staging() == 1
        assert not old.exists() and fresh.exists()


class TestDeletePaths:
    async def test_deletes_the_file_and_its_own_directory(self, rt):
        await put(rt.storage, "uploads/d1/a.txt", b"x")
        await delete_paths(rt, ["uploads/d1/a.txt"])
        assert not (rt.settings.data_dir.resolve() / "uploads" / "d1").exists()

    async def test_keeps_shared_directories(self, rt):
        await put(rt.storage, "uploads/emojis/5/e.png", b"x")
        await delete_paths(rt, ["uploads/emojis/5/e.png"])
        root = rt.settings.data_dir.resolve() / "uploads"
        assert not (root / "emojis" / "5" / "e.png").exists()
        assert (root / "emojis").is_dir() and root.is_dir()

    async def test_missing_and_hostile_paths_are_ignored(self, rt):
        db = rt.settings.data_dir.resolve() / "guildhall.db"
        existed = db.exists()
        await delete_paths(rt, ["uploads/none/x", "guildhall.db", "uploads/../guildhall.db"])
        assert db.exists() == existed
        assert (rt.settings.data_dir.resolve() / "uploads").is_dir()
