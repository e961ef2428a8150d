"""Health, readiness, metrics and security headers."""

from __future__ import annotations


class TestHealth:
    async def test_healthz(self, anon):
        r = await anon().get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"}

    async def test_readyz_checks_backends(self, anon, rt):
        r = await anon().get("/readyz")
        assert r.status_code == 200
        checks = r.json()["checks"]
        assert checks["database"] == "ok" and checks["storage"] == "ok"
        assert ("redis" in checks) == bool(rt.settings.redis_url)

    async def test_readyz_reports_an_unusable_file_store(self, anon, rt, monkeypatch):
        """Uploads answer 503 without their store; so must readiness (a gone bucket)."""

        async def gone() -> None:
            raise RuntimeError("S3 bucket 'files' cannot be used: NoSuchBucket")

        monkeypatch.setattr(rt.storage, "check", gone)
        r = await anon().get("/readyz")
        assert r.status_code == 503
        assert r.json()["details"]["storage"] == "error: RuntimeError"

    async def test_readyz_reports_a_dead_database(self, anon, rt):
        await rt.db.engine.dispose()
        from sqlalchemy.ext.asyncio import create_async_engine

        good = rt.db.engine
        rt.db.engine = create_async_engine("sqlite+aiosqlite:////nonexistent/dir/x.db")
        try:
            r = await anon().get("/readyz")
        finally:
            await rt.db.engine.dispose()
            rt.db.engine = good
        assert r.status_code == 503
        assert r.json()["code"] == "NOT_READY"
        assert r.json()["details"]["database"].startswith("error")


class TestMetrics:
    async def test_counts_requests_by_route_template(self, alice):
        await alice.get("/api/me")
        r = await alice.get("/metrics")
        assert r.status_code == 200
        text = r.text
        assert 'guildhall_http_requests_total{method="GET",route="/api/me",status="200"}' in text
        assert "guildhall_http_request_duration_seconds_bucket" in text


class TestSecurityHeaders:
    async def test_on_api_answers_and_errors(self, anon):
        for path in ("/api/me", "/api/does-not-exist", "/healthz"):
            r = await anon().get(path)
            assert r.headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
            assert r.headers["referrer-policy"] == "no-referrer"

    async def test_no_cors_by_default(self, anon):
        r = await anon().get("/api/me", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers

    async def test_json_body_over_one_megabyte(self, alice):
        r = await alice.post(
            "/api/me/password",
            content=b'{"old_password": "' + b"x" * (1024 * 1024 + 10) + b'"}',
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 413 and r.json()["code"] == "INVALID_INPUT"
