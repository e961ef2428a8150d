"""Which browser origins may open a socket (cross-site WebSocket hijacking).

A browser attaches the ``session`` cookie to a WebSocket handshake whatever page
opened it, and the same-origin policy does not apply to WebSockets: the
``Origin`` header is the only thing that tells our page from a hostile one.
Engine.IO calls this policy on every handshake and polling request, for both
transports, whenever the request carries an ``Origin``; requests without one
(python-socketio, bots) are not browsers and are let through to authentication.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from guildhall.config import Settings

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize(origin: str) -> str | None:
    """``scheme://host[:port]`` lower-cased, default port dropped; None if malformed."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host or parts.path not in ("", "/"):
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


class OriginPolicy:
    """``cors_allowed_origins`` for python-engineio: a callable ``(origin, environ)``.

    Allowed: the server's own origin (the scheme and ``Host`` of the request
    itself; ``X-Forwarded-Proto``/``-Host`` only from a trusted proxy, the same
    ``GUILDHALL_TRUSTED_PROXIES`` rule that believes ``X-Forwarded-For``; ``https``
    too when ``secure_cookies`` says we sit behind HTTPS) and the configured
    ``allowed_origins``. Everything else, ``null`` included, is refused.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.configured = {n for o in settings.allowed_origin_list if (n := normalize(o))}

    def __call__(self, origin: str | None, environ: dict[str, Any] | None = None) -> bool:
        if not origin:
            return False  # engine.io asks only to build CORS headers: none needed
        wanted = normalize(origin)
        if wanted is None:
            return False
        if wanted in self.configured:
            return True
        return wanted in self.own_origins(environ or {})

    def own_origins(self, environ: dict[str, Any]) -> set[str]:
        scope = environ.get("asgi.scope") or {}
        scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", ""), scope.get("scheme"))
        host = environ.get("HTTP_HOST", "")
        schemes = {scheme or "http"}
        if self.settings.secure_cookies:
            schemes.add("https")
        hosts = {host}
        client = scope.get("client")
        peer = client[0] if client else None
        if self.settings.trusts(peer):
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in _DEFAULT_PORTS:
                schemes.add(proto)
            fwd_host = environ.get("HTTP_X_FORWARDED_HOST", "").split(",")[-1].strip()
            if fwd_host:
                hosts.add(fwd_host)
        found = set()
        for s in schemes:
            for h in hosts:
                if h and (n := normalize(f"{s}://{h}")):
                    found.add(n)
        return found
