from __future__ import annotations

import pytest

from tests.messages.factories import World, make_world
from tests.realtime.conftest import connect  # noqa: F401  (real sockets)


@pytest.fixture
async def world(rt, alice, bob, carol) -> World:
    return await make_world(rt, alice, bob, carol)
