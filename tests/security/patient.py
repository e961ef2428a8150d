"""An autouse fixture for this directory's real-server attacks: on a machine
shared with many test runs a server can take longer than the harness's 30 s to
answer its first request; these tests measure the server, not its start-up."""

from __future__ import annotations

from functools import partialmethod

import pytest

from tests.e2e.conftest import ServerProcess

START_TIMEOUT = 180


@pytest.fixture(autouse=True)
def patient_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        ServerProcess, "start", partialmethod(ServerProcess.start, timeout=START_TIMEOUT)
    )
