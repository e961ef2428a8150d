from __future__ import annotations

import pytest

from tests.realtime.conftest import connect  # noqa: F401 (the real-socket fixture)
from tests.roles.helpers import make_guild


@pytest.fixture
async def dave(make_user):
    return await make_user("dave")


@pytest.fixture
async def g(alice, bob, dave):
    return await make_guild(alice, bob, dave)
