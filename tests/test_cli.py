"""The ``guildhall`` command: ``db upgrade`` and the schema check of ``serve``."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from tests.backends import create_database, drop_database
from tests.conftest import BACKEND, PG_ADMIN_URL, RUN_ID
from tests.e2e.conftest import GUILDHALL, server_env


def test_db_upgrade_on_a_fresh_embedded_database(tmp_path):
    env = server_env(tmp_path / "data")
    env.pop("GUILDHALL_DATABASE_URL", None)
    out = subprocess.run([GUILDHALL, "db", "upgrade"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "database at revision" in out.stdout
    assert (tmp_path / "data" / "guildhall.db").exists()


def test_help_lists_the_commands():
    out = subprocess.run([GUILDHALL, "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "serve" in out.stdout and "db" in out.stdout


@pytest.mark.skipif(
    BACKEND != "postgres", reason="PostgreSQL schema check: runs in the scaled-out suite"
)
def test_serve_refuses_a_postgres_schema_that_is_behind(tmp_path):
    name = f"{RUN_ID}_behind"
    asyncio.run(create_database(PG_ADMIN_URL, name))
    try:
        env = server_env(tmp_path / "data")
        env["GUILDHALL_DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        serve = subprocess.run(
            [GUILDHALL, "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=60
        )
        assert serve.returncode != 0
        assert "guildhall db upgrade" in serve.stdout + serve.stderr
        upgrade = subprocess.run(
            [GUILDHALL, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
        )
        assert upgrade.returncode == 0, upgrade.stderr
    finally:
        asyncio.run(drop_database(PG_ADMIN_URL, name))
