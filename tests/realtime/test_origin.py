"""The handshake origin policy on its own: which ``Origin`` values count as ours."""

from __future__ import annotations

from typing import Any

import pytest

from guildhall.config import Settings
from guildhall.realtime.origin import OriginPolicy, normalize

# One engine: the origin policy is a pure function.
pytestmark = pytest.mark.one_engine


def policy(**overrides: Any) -> OriginPolicy:
    return OriginPolicy(Settings(_env_file=None, secret_key="x", **overrides))  # type: ignore[call-arg]


def environ(host: str, scheme: str = "ws", peer: str = "203.0.113.9", **headers: str) -> dict:
    env: dict[str, Any] = {
        "HTTP_HOST": host,
        "asgi.scope": {"scheme": scheme, "client": (peer, 50000)},
    }
    env.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    return env


class TestNormalize:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("HTTP://Chat.Example.com:80", "http://chat.example.com"),
            ("https://chat.example.com:443/", "https://chat.example.com"),
            ("http://localhost:5173", "http://localhost:5173"),
            ("http://[::1]:8000", "http://[::1]:8000"),
            ("null", None),
            ("file://", None),
            ("ftp://x.example", None),
            ("https://x.example/path", None),
            ("http://x.example:99999", None),
        ],
    )
    def test_forms(self, raw, expected):
        assert normalize(raw) == expected


class TestOwnOrigin:
    def test_same_scheme_host_and_port(self):
        p = policy()
        assert p("http://chat.example.com:8000", environ("chat.example.com:8000"))
        assert not p("http://chat.example.com:8001", environ("chat.example.com:8000"))
        assert not p("https://chat.example.com:8000", environ("chat.example.com:8000"))
        assert p("https://chat.example.com", environ("chat.example.com", scheme="wss"))

    def test_https_behind_a_tls_proxy_when_secure_cookies(self):
        assert policy(secure_cookies=True)("https://chat.example.com", environ("chat.example.com"))

    def test_forwarded_headers_only_from_a_trusted_proxy(self):
        env = environ(
            "10.0.0.5:8000",
            peer="10.0.0.1",
            x_forwarded_host="chat.example.com",
            x_forwarded_proto="https",
        )
        assert policy(trusted_proxies="10.0.0.0/8")("https://chat.example.com", env)
        assert not policy()("https://chat.example.com", env)

    def test_no_origin_builds_no_cors_headers(self):
        assert policy()(None, environ("chat.example.com")) is False


class TestConfiguredOrigins:
    def test_listed_origins_only(self):
        p = policy(allowed_origins="https://app.example.com, http://localhost:5173/")
        assert p("https://app.example.com", environ("api.example.com"))
        assert p("http://localhost:5173", environ("api.example.com"))
        assert not p("https://app.example.com.evil.example", environ("api.example.com"))
        assert not p("http://app.example.com", environ("api.example.com"))
