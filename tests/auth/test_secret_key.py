"""GUILDHALL_SECRET_KEY: what it keys (the login-failure counter of a name that is
no account) and where it comes from when unset (a file in the data dir)."""

from __future__ import annotations

import hashlib
import stat

import pytest

from guildhall.auth.service import _failure_key
from guildhall.config import Settings
from guildhall.errors import AppError
from guildhall.kit.validation import fold
from tests.conftest import PASSWORD, assert_error


class TestFailureKey:
    @pytest.fixture
    def settings_overrides(self):
        return {"login_failure_limit": "2/minute"}

    async def test_unknown_names_count_under_a_keyed_hash(self, rt, anon):
        for _ in range(2):
            r = await anon().post("/api/login", json={"username": "Nobody", "password": PASSWORD})
            assert_error(r, 401, "INVALID_CREDENTIALS")
        r = await anon().post("/api/login", json={"username": "nobody", "password": PASSWORD})
        assert_error(r, 429, "RATE_LIMIT_EXCEEDED")

        key = _failure_key(rt, None, "Nobody")
        # What the limiter's storage (Redis when scaled out) holds is no plain digest
        # of what was typed: anyone could test guesses against that.
        assert key != "name:" + hashlib.sha256(fold("Nobody").encode()).hexdigest()[:32]
        with pytest.raises(AppError):
            await rt.limits.login_failure.refuse_if_spent(key, "RATE_LIMIT_EXCEEDED", "x")

    async def test_another_key_counts_apart(self, rt):
        other = Settings(_env_file=None, data_dir=rt.settings.data_dir, secret_key="other")  # type: ignore[call-arg]

        class Other:
            settings = other

        assert _failure_key(rt, None, "Nobody") == _failure_key(rt, None, "NOBODY")
        assert _failure_key(rt, None, "Nobody") != _failure_key(Other, None, "Nobody")  # type: ignore[arg-type]


@pytest.mark.one_engine
def test_unset_key_is_made_once_and_kept_private(tmp_path):
    first = Settings(_env_file=None, data_dir=tmp_path).resolved_secret_key  # type: ignore[call-arg]
    again = Settings(_env_file=None, data_dir=tmp_path).resolved_secret_key  # type: ignore[call-arg]
    assert first == again and len(first) >= 48
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
    given = Settings(_env_file=None, data_dir=tmp_path, secret_key="set")  # type: ignore[call-arg]
    assert given.resolved_secret_key == "set"
