"""Contract section 19: usernames are unique by their Unicode confusable skeleton
(UTS #39). When ``admin`` exists, ``аdmin`` with a Cyrillic ``а`` is
``USER_ALREADY_EXISTS``; names in one script (``алиса``) stay welcome."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from guildhall.config import Settings
from guildhall.db import Database
from guildhall.kit.confusables import data_version, name_skeleton, skeleton
from guildhall.migrate import alembic_config
from guildhall.models import User
from tests.conftest import BACKEND, PASSWORD, PG_ADMIN_URL, RUN_ID, assert_error, make_settings


async def register(anon: Any, username: str, email: str | None = None) -> Any:
    return await anon().post(
        "/api/register",
        json={
            "username": username,
            "password": PASSWORD,
            "email": email or f"{abs(hash(username))}@example.com",
        },
    )


class TestSkeleton:
    def test_the_table_is_unicodes_own(self):
        major = int(data_version().split(".")[0])
        assert major >= 16  # a current confusables.txt, not a years-old copy

    @pytest.mark.parametrize(
        ("a", "b"),
        [
            ("admin", "\u0430dmin"),  # Cyrillic а
            ("admin", "\u0410DMIN"),  # Cyrillic А, in capitals
            ("admin", "adrnin"),  # m → rn
            ("bob", "b0b"),  # 0 → O, then folded
            ("paypal", "p\u0430yp\u0430l"),
            ("alice", "\uff41lice"),  # fullwidth a
            ("neo", "ne\u03bf"),  # Greek omicron
        ],
    )
    def test_look_alikes_share_a_skeleton(self, a, b):
        assert a != b
        assert name_skeleton(a) == name_skeleton(b)

    @pytest.mark.parametrize(("a", "b"), [("alice", "alicf"), ("алиса", "alice"), ("bob", "rob")])
    def test_different_names_do_not(self, a, b):
        assert name_skeleton(a) != name_skeleton(b)

    def test_the_algorithm_is_uts39s(self):
        # NFD, map each character, NFD: "é" decomposes, keeps its accent
        assert skeleton("\u0430") == "a"
        assert skeleton("m") == "rn"
        assert skeleton("\u00e9") == "e\u0301"

    def test_the_key_is_a_fixed_point(self):
        for name in ("admin", "\u0410DMIN", "b0b", "\u01c5", "ﷺ", "алиса"):
            key = name_skeleton(name)
            assert name_skeleton(key) == key


class TestRegister:
    async def test_a_cyrillic_look_alike_of_admin_is_taken(self, anon):
        assert (await register(anon, "admin")).status_code == 201
        for name in ("\u0430dmin", "\u0410DMIN", "adrnin", "\u0430drnin"):
            assert_error(await register(anon, name), 400, "USER_ALREADY_EXISTS")

    async def test_the_first_comer_wins_in_either_direction(self, anon):
        assert (await register(anon, "\u0430dmin")).status_code == 201
        assert_error(await register(anon, "admin"), 400, "USER_ALREADY_EXISTS")

    async def test_names_in_one_script_stay_welcome(self, anon, alice):
        for name in ("алиса", "борис", "ΝΙΚΟΣ", "田中", "bob", "b.o_b-2"):
            r = await register(anon, name)
            assert r.status_code == 201, (name, r.text)

    async def test_the_skeleton_is_stored(self, rt, anon):
        assert (await register(anon, "\u0430dmin")).status_code == 201
        async with rt.transaction(write=False) as tx:
            stored = (await tx.session.execute(select(User.username, User.username_skeleton))).all()
        assert stored == [("\u0430dmin", "adrnin")]

    async def test_an_email_clash_still_answers_the_same(self, anon, alice):
        r = await register(anon, "alicia", "ALICE@example.com")
        assert_error(r, 400, "USER_ALREADY_EXISTS")


# -- the migration: backfill, and accounts that already collide -----------------------


def _upgrade_to(conn: Connection, cfg: Any, revision: str) -> None:
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


async def _migrate(db: Database, revision: str) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade_to, alembic_config(db.url), revision)


LONG_AGO = datetime(2020, 1, 1)


async def _insert_users(conn: AsyncConnection, *names: str) -> None:
    """Accounts as an older server stored them (ids in the order given)."""
    for uid, username in enumerate(names, 1):
        await conn.execute(
            text(
                "INSERT INTO users (id, username, email, username_key, email_key, "
                "password_hash, created_at) VALUES (:id, :u, :e, :k, :e, 'x', :then)"
            ),
            {
                "id": uid,
                "u": username,
                "e": f"u{uid}@example.com",
                "k": username.casefold(),
                "then": LONG_AGO,
            },
        )


class TestMigration:
    @pytest.fixture
    async def old_db(self, tmp_path: Path) -> Any:
        """A database at revision 0004 (before 0005), on this run's backend."""
        if BACKEND == "postgres":
            from tests.backends import create_database, drop_database

            name = f"{RUN_ID}_mig"
            await create_database(PG_ADMIN_URL, name)
            url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
            settings = make_settings(tmp_path, database_url=url)
        else:
            settings = make_settings(tmp_path)
            name = None
        db = Database(settings)
        await _migrate(db, "0004")
        try:
            yield db
        finally:
            await db.dispose()
            if name is not None:
                await drop_database(PG_ADMIN_URL, name)

    async def test_upgrade_backfills_and_keeps_colliding_accounts(self, old_db: Database):
        async with old_db.engine.begin() as conn:
            await _insert_users(conn, "admin", "\u0430dmin", "bob", "b0b", "алиса")
            await conn.execute(
                text(
                    "INSERT INTO sessions (id, token_hash, csrf_token, user_id, created_at) "
                    "VALUES (1, 'h', 'c', 2, :then)"
                ),
                {"then": LONG_AGO},
            )

        await _migrate(old_db, "head")

        async with old_db.engine.connect() as conn:
            users = (
                await conn.execute(text("SELECT id, username, username_skeleton FROM users"))
            ).all()
            sessions = (
                await conn.execute(text("SELECT user_id, last_used_at FROM sessions"))
            ).all()
        by_id = {u.id: (u.username, u.username_skeleton) for u in users}
        # nobody lost: the older of each look-alike pair holds the key
        assert by_id == {
            1: ("admin", "adrnin"),
            2: ("\u0430dmin", None),
            3: ("bob", "bob"),
            4: ("b0b", None),
            5: ("алиса", name_skeleton("алиса")),
        }
        # the session of the newer look-alike survives, counted as used at the upgrade
        assert len(sessions) == 1 and sessions[0].user_id == 2
        assert str(sessions[0].last_used_at) > str(LONG_AGO)

    async def test_a_third_look_alike_is_refused_after_the_upgrade(self, tmp_path, old_db):
        async with old_db.engine.begin() as conn:
            await _insert_users(conn, "admin", "\u0430dmin")
        await _migrate(old_db, "head")
        from guildhall.app import build_runtime
        from guildhall.users.service import claim_username

        settings: Settings = old_db.settings
        rt = build_runtime(settings)
        try:
            async with rt.transaction(write=False) as tx:
                with pytest.raises(Exception) as refused:
                    await claim_username(tx, "adrnin")
        finally:
            await rt.limits.close()
            await rt.db.dispose()
        assert getattr(refused.value, "code", None) == "USER_ALREADY_EXISTS"
