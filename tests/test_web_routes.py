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


class TestCompressedAssets:
    """Built scripts and stylesheets go out gzipped to a client that takes gzip."""

    @pytest.fixture
    def client(self, tmp_path):
        import gzip

        import httpx
        from fastapi import FastAPI

        from guildhall.web import mount_web_client

        (tmp_path / "assets").mkdir()
        (tmp_path / "index.html").write_text("<!doctype html><title>x</title>")
        self.body = b"console.log('hello');" * 200
        (tmp_path / "assets" / "index-abc.js").write_bytes(self.body)
        (tmp_path / "assets" / "index-abc.js.gz").write_bytes(gzip.compress(self.body))
        (tmp_path / "assets" / "plain-abc.css").write_bytes(b"body{}")
        app = FastAPI()
        mount_web_client(app, tmp_path)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")

    async def test_gzip_when_accepted(self, client):
        async with client as c:
            r = await c.get("/assets/index-abc.js", headers={"Accept-Encoding": "gzip, br"})
        assert r.headers["content-encoding"] == "gzip"
        assert r.headers["vary"] == "Accept-Encoding"
        assert r.headers["content-type"].startswith(("text/javascript", "application/javascript"))
        assert int(r.headers["content-length"]) < len(self.body) / 5
        assert r.content == self.body  # httpx undoes the encoding

    async def test_identity_when_not_accepted_or_refused(self, client):
        async with client as c:
            for accept in ("identity", "gzip;q=0", "br"):
                r = await c.get("/assets/index-abc.js", headers={"Accept-Encoding": accept})
                assert "content-encoding" not in r.headers, accept
                assert r.content == self.body
                assert r.headers["vary"] == "Accept-Encoding"

    async def test_assets_without_a_twin_are_sent_as_they_are(self, client):
        async with client as c:
            r = await c.get("/assets/plain-abc.css", headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in r.headers and r.content == b"body{}"
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"


class TestRouteOrder:
    """``app.ROUTERS`` is in traffic order (the hot routers first: every request is
    matched against the routes before its own). That is safe only while no route
    hides another: each route's own path (ids filled in) must reach it first."""

    def test_every_route_is_the_first_to_match_its_own_path(self):
        import re

        from fastapi.routing import APIRoute

        from guildhall.app import ROUTERS

        routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
        assert len(routes) > 50
        hidden = []
        for route in routes:
            path = re.sub(r"\{[^}:]+(:[^}]+)?\}", "1", route.path)
            for method in route.methods:
                first = next(r for r in routes if method in r.methods and r.path_regex.match(path))
                if first is not route:
                    hidden.append((method, route.path, first.path))
        assert hidden == []
