"""Uploads over real HTTP to the real server process: round trip, ranges, size limit."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
import requests

from tests.e2e.conftest import register
from tests.files import samples

pytestmark = pytest.mark.e2e
MB = 1024 * 1024


def raw_request(base: str, head: bytes, timeout: float = 10) -> bytes:
    """Send ``head`` on a fresh socket and read the answer until the server closes
    or the headers and a short body have arrived."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as sock:
        sock.sendall(head)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data and data.endswith(b"}"):
                break
        return data


class TestUploadRoundTrip:
    def test_upload_then_fetch_byte_for_byte(self, live):
        s = register(live.url, "alice")
        blob = samples.zip_of({f"f{i}.bin": bytes(range(256)) * 500 for i in range(8)})
        r = s.post(f"{live.url}/api/upload", files={"file": ("bundle.zip", blob)})
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["size"] == len(blob) and body["mimetype"] == "application/zip"
        got = requests.get(f"{live.url}/{body['path']}")
        assert got.status_code == 200 and got.content == blob
        assert got.headers["Content-Disposition"].startswith("attachment")
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in got.headers["Content-Security-Policy"]
        part = requests.get(f"{live.url}/{body['path']}", headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == blob[100:200]
        head = requests.head(f"{live.url}/{body['path']}")
        assert head.status_code == 200 and head.headers["Content-Length"] == str(len(blob))

    def test_image_round_trip_inline(self, live):
        s = register(live.url, "bob")
        png = samples.png((40, 30))
        r = s.post(f"{live.url}/api/upload", files={"file": ("p.png", png, "text/html")})
        assert r.status_code == 201 and r.json()["mimetype"] == "image/png"
        got = requests.get(f"{live.url}/{r.json()['path']}")
        assert got.content == png and got.headers["Content-Type"] == "image/png"
        assert got.headers["Content-Disposition"].startswith("inline")

    def test_dot_segments_never_reach_the_data_dir(self, live):
        answer = raw_request(
            live.url,
            b"GET /uploads/../guildhall.db HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        assert answer.startswith(b"HTTP/1.1 404") and b"SQLite format" not in answer


class TestUploadTooLarge:
    def test_one_byte_over_the_limit_is_413(self, live):
        s = register(live.url, "carol")
        data = b"a" * (10 * MB + 1)
        r = s.post(f"{live.url}/api/upload", files={"file": ("big.txt", data, "text/plain")})
        assert r.status_code == 413 and r.json()["code"] == "FILE_TOO_LARGE"
        uploads = live.data_dir / "uploads"
        assert [p for p in uploads.rglob("*") if p.is_file()] == []
        ok = s.post(
            f"{live.url}/api/upload", files={"file": ("ok.txt", b"a" * (10 * MB), "text/plain")}
        )
        assert ok.status_code == 201, ok.text

    def test_declared_huge_body_is_refused_before_it_is_sent(self, live):
        s = register(live.url, "dave")
        cookie = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
        head = (
            "POST /api/upload HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {500 * MB}\r\nCookie: {cookie}\r\n"
            f"X-CSRF-Token: {s.headers['X-CSRF-Token']}\r\n\r\n"
        ).encode()
        answer = raw_request(live.url, head)
        assert answer.startswith(b"HTTP/1.1 413")
        assert b"FILE_TOO_LARGE" in answer
