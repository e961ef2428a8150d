"""The OpenAPI document is true: every answer of a scripted scenario that touches
every documented operation matches the schema documented for its status."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema_rs
import pytest

from guildhall import mail
from tests.conftest import PASSWORD, Client
from tests.factories import ok
from tests.files import samples
from tests.mailbox import Inbox, inbox, smtp_settings

__all__ = ["inbox"]  # the fixture: password reset mails go to a real SMTP server

# One engine: the document's shapes; every operation's database path runs in its
# domain's tests on both engines.
pytestmark = pytest.mark.one_engine

_UNSAFE = {"post", "put", "patch", "delete"}


def _pattern(template: str) -> str:
    # ``/uploads/{path}`` spans slashes (a ``{path:path}`` route); other parameters do not.
    parts = re.split(r"(\{[^}]+\})", template)
    return (
        "^"
        + "".join(
            (".+" if p == "{path}" else "[^/]+") if p.startswith("{") else re.escape(p)
            for p in parts
        )
        + "$"
    )


class Document:
    """The app's served document, and a check of answers against it."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.routes = [(re.compile(_pattern(path)), path) for path in doc["paths"]]
        self.succeeded: set[tuple[str, str]] = set()
        self.failures: list[str] = []

    def operations(self) -> set[tuple[str, str]]:
        return {(m, p) for p, item in self.doc["paths"].items() for m in item}

    def template(self, path: str) -> str:
        for pattern, template in self.routes:
            if pattern.match(path):
                return template
        raise AssertionError(f"{path} is not in the document")

    def check(self, response: httpx.Response) -> None:
        method = response.request.method.lower()
        raw_path = response.request.url.raw_path.split(b"?")[0].decode()
        template = self.template(raw_path)
        operation = self.doc["paths"][template].get(method)
        where = f"{method.upper()} {raw_path} → {response.status_code}"
        if operation is None:
            self.failures.append(f"{where}: method not documented")
            return
        documented = operation["responses"].get(str(response.status_code))
        if documented is None:
            self.failures.append(f"{where}: status not documented")
            return
        if response.is_success:
            self.succeeded.add((method, template))
        content = documented.get("content", {})
        if "application/json" not in content:
            return
        assert response.headers["content-type"].startswith("application/json"), where
        schema = {**content["application/json"]["schema"], "components": self.doc["components"]}
        # jsonschema-rs: schemathesis's own validator (draft 2020-12, formats checked).
        validator = jsonschema_rs.validator_for(schema, validate_formats=True)
        for error in validator.iter_errors(response.json()):
            path = "/".join(map(str, error.instance_path))
            self.failures.append(f"{where}: /{path}: {error.message}")


@pytest.fixture
def settings_overrides(inbox: tuple[Inbox, int]) -> dict[str, Any]:
    return smtp_settings(inbox[1], "https://chat.example.org")


@pytest.fixture
async def document(anon: Callable[[], Client]) -> Document:
    r = await anon().get("/api/openapi.json")
    assert r.status_code == 200
    return Document(r.json())


@pytest.fixture
def checked(anon: Callable[[], Client], document: Document) -> Callable[[], Client]:
    """Fresh clients whose every answer is checked against the document."""

    def make() -> Client:
        client = anon()

        async def hook(response: httpx.Response) -> None:
            await response.aread()
            document.check(response)

        client.event_hooks["response"].append(hook)
        return client

    return make


async def _signed_up(make: Callable[[], Client], name: str) -> Client:
    client = make()
    r = await client.post(
        "/api/register",
        json={"username": name, "password": PASSWORD, "email": f"{name}@example.com"},
    )
    assert r.status_code == 201, r.text
    client.user = r.json()
    return client


async def _signed_in(make: Callable[[], Client], name: str, password: str) -> Client:
    client = make()
    r = await client.post("/api/login", json={"username": name, "password": password})
    client.user = ok(r)
    return client


class TestDocumentShape:
    async def test_no_validation_422_anywhere(self, document: Document) -> None:
        for path, item in document.doc["paths"].items():
            for method, operation in item.items():
                assert "422" not in operation["responses"], (method, path)
        assert "HTTPValidationError" not in document.doc["components"]["schemas"]

    async def test_every_api_operation_documents_edge_errors(self, document: Document) -> None:
        for path, item in document.doc["paths"].items():
            if not path.startswith("/api/"):
                continue
            for method, operation in item.items():
                responses = operation["responses"]
                assert {"413", "429"} <= set(responses), (method, path)
                assert "Retry-After" in responses["429"]["headers"], (method, path)
                for response in responses.values():
                    assert "X-RateLimit-Remaining" in response["headers"], (method, path)

    async def test_authenticated_operations_name_their_security(self, document: Document) -> None:
        schemes = document.doc["components"]["securitySchemes"]
        assert schemes["session"] == {
            "type": "apiKey",
            "in": "cookie",
            "name": "session",
            "description": schemes["session"]["description"],
        }
        assert schemes["csrf"]["name"] == "X-CSRF-Token"
        assert schemes["bearer"]["scheme"] == "bearer"
        delete_guild = document.doc["paths"]["/api/guilds/{guild_id}"]["delete"]
        assert delete_guild["security"] == [{"session": [], "csrf": []}, {"bearer": []}]
        assert {"401", "403"} <= set(delete_guild["responses"])
        assert document.doc["paths"]["/api/me"]["get"]["security"] == [
            {"session": []},
            {"bearer": []},
        ]
        # Anonymous operations say so, and document no 401.
        for path, method in [("/api/register", "post"), ("/api/invites/{code}", "get")]:
            operation = document.doc["paths"][path][method]
            assert operation["security"] == []
            assert "401" not in operation["responses"]

    async def test_path_ids_are_documented_as_integers(self, document: Document) -> None:
        params = document.doc["paths"]["/api/messages/{message_id}"]["put"]["parameters"]
        (message_id,) = [p for p in params if p["name"] == "message_id"]
        assert message_id["schema"]["type"] == "integer"
        assert message_id["schema"]["minimum"] == 1

    async def test_multipart_bodies_are_documented(self, document: Document) -> None:
        body = document.doc["paths"]["/api/guilds/{guild_id}/emojis"]["post"]["requestBody"]
        schema = body["content"]["multipart/form-data"]["schema"]
        assert set(schema["required"]) == {"name", "file"}
        assert schema["properties"]["file"]["format"] == "binary"


class TestAnswersMatchDocument:
    async def test_scripted_scenario_covers_every_operation(
        self, checked: Callable[[], Client], document: Document, rt: Any, inbox: Any
    ) -> None:
        alice = await _signed_up(checked, "alice")
        bob = await _signed_up(checked, "bob")
        carol = await _signed_up(checked, "carol")
        visitor = checked()

        # Auth and users.
        login = checked()
        ok(await login.post("/api/login", json={"username": "alice", "password": PASSWORD}))
        ok(await login.post("/api/logout"))
        assert (await login.get("/api/me")).status_code == 401
        ok(await alice.get("/api/me"))
        ok(
            await alice.post(
                "/api/me/password",
                json={"old_password": PASSWORD, "new_password": PASSWORD + "!"},
            )
        )
        ok(await alice.put("/api/me", json={"display_name": "Alice A."}))
        ok(await visitor.post("/api/password-reset", json={"email": "carol@example.com"}), 202)
        await mail.drain(rt)
        token = re.search(r"token=([\w-]+)", inbox[0].mails[0].get_body(("plain",)).get_content())
        assert token is not None
        ok(
            await visitor.post(
                "/api/password-reset/confirm",
                json={"token": token.group(1), "new_password": PASSWORD + "?"},
            )
        )
        carol = await _signed_in(checked, "carol", PASSWORD + "?")
        ok(await alice.get("/api/users", params={"limit": 2, "offset": 1}))
        ok(await alice.get("/api/search/users", params={"q": "bo"}))
        assert (await alice.get("/api/search/users", params={"q": "b"})).status_code == 400

        # Friends.
        ok(await alice.post("/api/friends/request", json={"to": "bob"}))
        assert (await alice.post("/api/friends/request", json={"to": "bob"})).status_code == 409
        ok(await bob.post("/api/friends/accept", json={"from": "alice"}))
        ok(await alice.post("/api/friends/request", json={"to": "carol"}))
        ok(await carol.post("/api/friends/decline", json={"from": "alice"}))
        ok(await alice.post("/api/friends/request", json={"to": "carol"}))
        ok(await alice.get("/api/friends/status"))
        # Direct messages (section 15).
        dm = ok(await alice.post("/api/users/@me/channels", json={"recipient_id": bob.user["id"]}))
        ok(await bob.post(f"/api/channels/{dm['id']}/messages", json={"content": "hi"}), 201)
        ok(await alice.get("/api/users/@me/channels"))
        group = ok(
            await bob.post("/api/users/@me/channels", json={"recipient_ids": [alice.user["id"]]}),
            201,
        )
        ok(await alice.put(f"/api/channels/{group['id']}", json={"name": "Us"}))
        ok(await bob.delete(f"/api/channels/{group['id']}/recipients/{alice.user['id']}"))
        ok(await bob.put(f"/api/channels/{group['id']}/recipients/{alice.user['id']}"))
        ok(await alice.post("/api/friends/cancel", json={"to": "carol"}))
        ok(await alice.post("/api/friends/remove", json={"username": "bob"}))
        assert (await alice.post("/api/friends/request", json={"to": "nobody"})).status_code == 404

        # Guilds and invites.
        guild = ok(await alice.post("/api/guilds", json={"name": "Hall"}), 201)
        gid = guild["id"]
        ok(await alice.get("/api/guilds"))
        ok(await alice.get(f"/api/guilds/{gid}"))
        assert (await carol.get(f"/api/guilds/{gid}")).status_code == 403
        assert (await carol.get("/api/guilds/nope")).status_code == 404
        invite = ok(await alice.post(f"/api/guilds/{gid}/invites", json={"expires_hours": 0}), 201)
        assert invite["expires_at"] is None
        ok(await alice.post(f"/api/guilds/{gid}/invites"), 201)
        ok(await alice.get(f"/api/guilds/{gid}/invites"))
        ok(await visitor.get(f"/api/invites/{invite['code']}"))
        ok(await bob.post(f"/api/invites/{invite['code']}/join"))
        ok(await carol.post(f"/api/invites/{invite['code']}/join"))
        ok(await alice.get(f"/api/guilds/{gid}/members"))

        # Channels.
        category = ok(
            await alice.post(
                f"/api/guilds/{gid}/channels", json={"name": "Talk", "type": "category"}
            ),
            201,
        )
        channel = ok(
            await alice.post(
                f"/api/guilds/{gid}/channels",
                json={"name": "general", "category_id": category["id"]},
            ),
            201,
        )
        cid = channel["id"]
        ok(await alice.put(f"/api/channels/{cid}", json={"position": 3}))
        ok(await alice.get(f"/api/guilds/{gid}/channels"))

        # Files, emojis, stickers.
        upload = ok(
            await bob.post("/api/upload", files={"file": ("pic.png", samples.png(), "image/png")}),
            201,
        )
        me = ok(await bob.put("/api/me", json={"avatar": upload["path"]}))
        assert (await visitor.get(me["avatar"])).status_code == 200
        ok(await alice.put(f"/api/guilds/{gid}", json={"description": "About", "icon": None}))
        served = await visitor.get(f"/{upload['path']}")
        assert served.status_code == 200 and served.content == samples.png()
        assert (await visitor.head(f"/{upload['path']}")).status_code == 200
        emoji = ok(
            await alice.post(
                f"/api/guilds/{gid}/emojis",
                data={"name": "party"},
                files={"file": ("e.gif", samples.image("GIF", frames=2), "image/gif")},
            ),
            201,
        )
        sticker = ok(
            await alice.post(
                f"/api/guilds/{gid}/stickers",
                data={"name": "Wave"},
                files={"file": ("s.png", samples.png(), "image/png")},
            ),
            201,
        )
        ok(await bob.get(f"/api/guilds/{gid}/emojis"))
        ok(await bob.get(f"/api/guilds/{gid}/stickers"))

        # Messages: every nested part filled in (files, reactions, poll, nonce).
        message = ok(
            await bob.post(
                f"/api/channels/{cid}/messages",
                json={"content": "hello world", "files": [upload["path"]], "nonce": "n-1"},
            ),
            201,
        )
        mid = message["id"]
        for text in ("second", "third"):
            ok(await alice.post(f"/api/channels/{cid}/messages", json={"content": text}), 201)
        ok(await carol.put(f"/api/messages/{mid}/reactions/{quote('👍')}"))
        ok(await alice.put(f"/api/messages/{mid}/reactions/:party:"))
        poll = ok(
            await bob.post(
                f"/api/messages/{mid}/poll",
                json={"question": "Lunch?", "options": ["yes", "no"], "allow_multiple": True},
            ),
            201,
        )
        ok(await carol.post(f"/api/polls/{poll['id']}/vote", json={"option_id": "1"}))
        ok(await carol.get(f"/api/messages/{mid}/poll"))
        ok(await carol.delete(f"/api/polls/{poll['id']}/vote"))
        ok(await bob.post(f"/api/messages/{mid}/pin"))
        pins = ok(await carol.get(f"/api/channels/{cid}/pins"))
        assert pins[0]["files"] and pins[0]["reactions"] and pins[0]["poll"]
        ok(await bob.put(f"/api/messages/{mid}", json={"content": "hello again"}))
        # Section 16: a reply that mentions, the edit history, read states.
        reply = {"content": f"<@{bob.user['id']}> @everyone", "reply_to": mid}
        ok(await alice.post(f"/api/channels/{cid}/messages", json=reply), 201)
        ok(await carol.get(f"/api/messages/{mid}/edits"))
        ok(await carol.post(f"/api/channels/{cid}/ack", json={"message_id": mid}))
        ok(await carol.get("/api/users/@me/read-states"))
        ok(await carol.get(f"/api/channels/{cid}/messages", params={"limit": 2}))
        ok(await carol.get(f"/api/channels/{cid}/messages", params={"before": mid + 2}))
        ok(await carol.get(f"/api/channels/{cid}/messages", params={"after": 0, "limit": 1}))
        ok(await carol.get("/api/search/messages", params={"q": "hello", "channel_id": cid}))
        ok(await bob.post(f"/api/messages/{mid}/unpin"))
        ok(await carol.delete(f"/api/messages/{mid}/reactions/{quote('👍')}"))
        ok(await bob.delete(f"/api/messages/{mid}"))

        # Moderation and the audit log: every entry shape the scenario made.
        bid = bob.user["id"]
        until = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        timed = ok(
            await alice.put(
                f"/api/guilds/{gid}/members/{bid}", json={"communication_disabled_until": until}
            )
        )
        assert timed["communication_disabled_until"]
        ok(
            await alice.put(
                f"/api/guilds/{gid}/bans/{bid}",
                json={"reason": "spam", "delete_message_seconds": 60},
                headers={"X-Audit-Log-Reason": quote("причина")},
            )
        )
        assert ok(await alice.get(f"/api/guilds/{gid}/bans"))[0]["reason"] == "spam"
        ok(await alice.delete(f"/api/guilds/{gid}/bans/{bid}"))
        ok(await bob.post(f"/api/invites/{invite['code']}/join"))
        ok(await alice.delete(f"/api/guilds/{gid}/members/{bid}"))
        log = ok(await alice.get(f"/api/guilds/{gid}/audit-log", params={"limit": 100}))
        assert {"emoji_create", "member_ban_add", "invite_create"} <= {
            e["action"] for e in log["entries"]
        }
        # Roles and channel overwrites (section 13).
        roles = f"/api/guilds/{gid}/roles"
        role = ok(await alice.post(roles, json={"name": "mods", "permissions": "8192"}), 201)
        ok(await alice.put(f"{roles}/{role['id']}", json={"color": 255, "position": 1}))
        ok(await carol.get(roles))
        held = f"/api/guilds/{gid}/members/{carol.user['id']}/roles/{role['id']}"
        assert ok(await alice.put(held))["roles"] == [role["id"]]
        ok(await alice.delete(held))
        overwrite = f"/api/channels/{cid}/permissions/{role['id']}"
        ok(await alice.put(overwrite, json={"type": "role", "allow": "1024", "deny": "2048"}))
        ok(await alice.delete(overwrite, params={"type": "role"}))
        ok(await alice.delete(f"{roles}/{role['id']}"))

        # Tearing down.
        ok(await alice.delete(f"/api/emojis/{emoji['id']}"))
        ok(await alice.delete(f"/api/stickers/{sticker['id']}"))
        ok(await alice.delete(f"/api/invites/{invite['code']}"))
        ok(await alice.delete(f"/api/channels/{cid}"))
        ok(await carol.delete(f"/api/guilds/{gid}/members/@me"))
        ok(await alice.delete(f"/api/guilds/{gid}"))

        assert document.failures == []
        missing = document.operations() - document.succeeded
        assert missing == set(), f"operations the scenario never answered with 2xx: {missing}"
        for client in (alice, bob, carol, visitor, login):
            await client.aclose()

    async def test_error_answers_match_document(
        self, checked: Callable[[], Client], document: Document
    ) -> None:
        alice = await _signed_up(checked, "alice")
        anonymous = checked()
        assert (await anonymous.get("/api/guilds")).status_code == 401
        forged = await alice.post(
            "/api/guilds", json={"name": "x"}, headers={"X-CSRF-Token": "wrong"}
        )
        assert forged.status_code == 403
        assert (await alice.post("/api/guilds", json={"name": 5})).status_code == 400
        assert (await alice.post("/api/guilds", content=b"{not json")).status_code == 400
        huge = await alice.post("/api/guilds", content=b"x" * (2 * 1024 * 1024))
        assert huge.status_code == 413
        assert (await alice.delete("/api/messages/0")).status_code == 404
        assert (await anonymous.get("/uploads/nothing/here.png")).status_code == 404
        assert document.failures == []
        await alice.aclose()
        await anonymous.aclose()
