"""The web client's catch-all never shadows the server's own paths."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error

# One engine: the static client's routes never reach the database.
pytestmark = pytest.mark.one_engine


class TestClientRoutes:
    async def test_client_routes_get_the_page(self, anon):
        for path in ("/", "/channels/1/2", "/invite/abc", "/login"):
            r = await anon().get(path)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")

    async def test_wrong_method_on_an_api_route_is_405(self, anon):
        assert_error(await anon().get("/api/upload"), 405, "METHOD_NOT_ALLOWED")
        assert_error(await anon().get("/api/logout"), 405, "METHOD_NOT_ALLOWED")

    async def test_unknown_server_paths_are_404_in_the_error_format(self, anon):
        for path in ("/api/nope", "/api", "/uploads/nope/x.png"):
            assert_error(await anon().get(path), 404, "NOT_FOUND")

    async def test_static_files_cannot_escape_the_folder(self, anon):
        r = await anon().get("/..%2F..%2Fpyproject.toml")
        assert r.status_code == 200 and b"[project]" not in r.content
