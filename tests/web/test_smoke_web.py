"""The built client is served at / and its routes, under the server's CSP."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.e2e


def test_client_routes_serve_the_app_under_the_csp(live, browser):
    for path in ("/", "/login", "/register", "/friends", "/channels/1/2", "/invite/abcDEF123"):
        r = requests.get(live.url + path, timeout=5)
        assert r.status_code == 200
        assert '<div id="app">' in r.text
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "<script>" not in r.text  # no inline script: the CSP would block it


def test_register_shows_field_errors_then_signs_in(live, new_context):
    page = new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and "CSP" in m.text and errors.append(m.text))
    page.goto(live.url + "/register")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Register").click()
    email_error = page.locator("#email-error")
    email_error.wait_for()
    assert page.get_by_label("Email").get_attribute("aria-invalid") == "true"
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_role("button", name="Register").click()
    page.get_by_test_id("me").wait_for()
    assert page.get_by_test_id("me").inner_text() == "alice"
    assert errors == []


def test_logout_in_another_tab_signs_this_one_out(live, new_context):
    from playwright.sync_api import expect

    from tests.web.helpers import register

    ctx = new_context()
    first = register(ctx, live.url, "alice")
    second = ctx.new_page()
    second.goto(live.url + "/friends")
    second.get_by_role("button", name="Settings", exact=True).click()
    second.get_by_role("button", name="Log out").click()
    expect(second.get_by_role("heading", name="Welcome back!")).to_be_visible()
    # The server ends the session's sockets; the first tab notices without a click.
    expect(first.get_by_role("heading", name="Welcome back!")).to_be_visible()
