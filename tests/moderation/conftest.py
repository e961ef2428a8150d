"""Real sockets for the moderation tests: the realtime suite's fixtures."""

from tests.realtime.conftest import connect, world

__all__ = ["connect", "world"]
