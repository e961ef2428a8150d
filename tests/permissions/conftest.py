"""The role tests' guild (alice owns it; bob and dave are members) and real sockets."""

from tests.realtime.conftest import connect  # noqa: F401 (the real-socket fixture)
from tests.roles.conftest import dave, g  # noqa: F401 (the same guild)
