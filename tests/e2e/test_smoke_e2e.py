"""The real server process answers the way the contract's Python example expects."""

from __future__ import annotations

from tests.e2e.conftest import register


def test_register_me_logout_over_real_http(live):
    s = register(live.url, "alice")
    me = s.get(f"{live.url}/api/me")
    assert me.status_code == 200 and me.json()["username"] == "alice"
    assert me.headers["X-Content-Type-Options"] == "nosniff"
    r = s.post(f"{live.url}/api/logout")
    assert r.status_code == 200 and r.json() == {"message": "Successfully logged out"}
    assert s.get(f"{live.url}/api/me").status_code == 401


def test_unknown_route_and_wrong_method_use_the_error_format(live):
    import requests

    r = requests.get(f"{live.url}/api/no-such-thing")
    assert r.status_code == 404 and set(r.json()) == {"error", "code", "details"}
    r = requests.delete(f"{live.url}/api/register")
    assert r.status_code == 405 and r.json()["code"]
