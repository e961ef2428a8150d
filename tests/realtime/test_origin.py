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


def forwarded(host: str, peer: str, forwarded_host: str, forwarded_proto: str) -> dict:
    """A request a proxy at ``peer`` passed on to ``host``, naming the browser's host
    and scheme in ``X-Forwarded-Host``/``-Proto``."""
    return environ(
        host, peer=peer, x_forwarded_host=forwarded_host, x_forwarded_proto=forwarded_proto
    )


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
        env = forwarded("10.0.0.5:8000", "10.0.0.1", "chat.example.com", "https")
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


class TestBehindAProxy:
    """nginx as shipped (docs/deploy/): Host and X-Forwarded-Host carry the port
    the browser used, X-Forwarded-Proto the scheme it used."""

    def test_the_forwarded_host_and_scheme_of_a_trusted_proxy(self):
        env = forwarded("127.0.0.1:5001", "127.0.0.1", "chat.example.com:8443", "https")
        p = policy(trusted_proxies="127.0.0.1")
        assert p("https://chat.example.com:8443", env)
        assert not p("https://chat.example.com", env)  # the port is part of the origin

    def test_the_hop_the_proxy_added_wins_over_one_the_client_sent(self):
        # A proxy that appends: the client's own value comes first and is ignored.
        env = forwarded(
            "10.0.0.5:5000", "10.0.0.1", "evil.example, chat.example.com", "http, https"
        )
        p = policy(trusted_proxies="10.0.0.1")
        assert p("https://chat.example.com", env)
        assert not p("https://evil.example", env)
        assert not p("http://evil.example", env)

    def test_an_untrusted_peer_cannot_name_a_host(self):
        env = environ("chat.example.com", peer="198.51.100.7", x_forwarded_host="evil.example")
        assert not policy(trusted_proxies="10.0.0.0/8")("http://evil.example", env)

    def test_the_same_rule_as_the_client_address(self):
        settings = Settings(_env_file=None, trusted_proxies="10.0.0.0/8, ::1")  # type: ignore[call-arg]
        assert settings.trusts("10.1.2.3") and settings.trusts("::1")
        assert not settings.trusts("192.0.2.1")
        assert not settings.trusts("not-an-address") and not settings.trusts(None)

    @pytest.mark.parametrize("name", ["trusted_proxies", "metrics_allow"])
    def test_a_malformed_list_stops_the_start(self, name):
        with pytest.raises(ValueError, match=f"GUILDHALL_{name.upper()}"):
            Settings(_env_file=None, **{name: "10.0.0.0/8, nginx"})  # type: ignore[call-arg]
