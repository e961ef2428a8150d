from __future__ import annotations

import pytest

from tests.messages.factories import EventRecorder, World, make_world


@pytest.fixture
async def world(rt, alice, bob, carol) -> World:
    return await make_world(rt, alice, bob, carol)


@pytest.fixture
def captured_events(rt) -> EventRecorder:
    """Every event published after a commit, in order (``.events``, ``.named(name)``)."""
    recorder = EventRecorder()
    rt.bus = recorder
    return recorder
