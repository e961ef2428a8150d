from __future__ import annotations

import pytest

from tests.messages.factories import World, make_world


@pytest.fixture
async def world(rt, alice, bob, carol) -> World:
    return await make_world(rt, alice, bob, carol)


# Real python-socketio clients for the section-16 socket tests (uvicorn in the test loop).
from tests.realtime.conftest import connect  # noqa: E402, F401
