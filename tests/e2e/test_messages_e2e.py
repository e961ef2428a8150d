"""Messages over the real server process: send, history, edit, delete, search."""

from __future__ import annotations

import requests

from tests.e2e.conftest import register


def make_channel(base: str, owner: requests.Session) -> int:
    r = owner.post(f"{base}/api/guilds", json={"name": "e2e"})
    assert r.status_code == 201, r.text
    r = owner.post(f"{base}/api/guilds/{r.json()['id']}/channels", json={"name": "general"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_send_history_edit_delete_search(live):
    base = live.url
    alice = register(base, "alice")
    channel_id = make_channel(base, alice)

    sent = []
    for text in ("Hello, world!", "Привет мир", "third message"):
        r = alice.post(f"{base}/api/channels/{channel_id}/messages", json={"content": text})
        assert r.status_code == 201, r.text
        sent.append(r.json())
    assert sent[0]["username"] == "alice" and sent[0]["files"] == []

    again = alice.post(
        f"{base}/api/channels/{channel_id}/messages", json={"content": "once", "nonce": "n-1"}
    )
    same = alice.post(
        f"{base}/api/channels/{channel_id}/messages", json={"content": "once", "nonce": "n-1"}
    )
    assert again.status_code == same.status_code == 201
    assert again.json()["id"] == same.json()["id"]

    r = alice.get(f"{base}/api/channels/{channel_id}/messages", params={"limit": 2})
    assert r.status_code == 200
    body = r.json()
    assert [m["content"] for m in body["messages"]] == ["third message", "once"]
    assert body["pagination"] == {"page": 1, "limit": 2, "total": 4, "pages": 2}
    r = alice.get(f"{base}/api/channels/{channel_id}/messages", params={"before": sent[2]["id"]})
    assert [m["id"] for m in r.json()["messages"]] == [sent[0]["id"], sent[1]["id"]]

    up = alice.post(f"{base}/api/upload", files={"file": ("notes.txt", b"notes\n")})
    assert up.status_code == 201, up.text
    r = alice.post(
        f"{base}/api/channels/{channel_id}/messages", json={"files": [up.json()["path"]]}
    )
    assert r.status_code == 201 and r.json()["files"][0]["path"] == up.json()["path"]
    assert alice.get(f"{base}/{up.json()['path']}").content == b"notes\n"
    alice.delete(f"{base}/api/messages/{r.json()['id']}")

    r = alice.put(f"{base}/api/messages/{sent[0]['id']}", json={"content": "Hello, edited"})
    assert r.status_code == 200 and r.json()["edited_at"].endswith("Z")

    r = alice.get(f"{base}/api/search/messages", params={"q": "привет"})
    assert [h["id"] for h in r.json()] == [sent[1]["id"]]
    assert r.json()[0]["channel_name"] == "general"
    r = alice.get(f"{base}/api/search/messages", params={"q": "edit"})
    assert [h["content"] for h in r.json()] == ["Hello, edited"]

    r = alice.delete(f"{base}/api/messages/{sent[1]['id']}")
    assert r.status_code == 200 and r.json() == {"message": "Message deleted successfully"}
    assert alice.get(f"{base}/api/search/messages", params={"q": "привет"}).json() == []

    outsider = register(base, "mallory")
    r = outsider.get(f"{base}/api/channels/{channel_id}/messages")
    assert r.status_code == 403 and r.json()["code"] == "NOT_CHANNEL_MEMBER"
    assert outsider.get(f"{base}/api/search/messages", params={"q": "hello"}).json() == []
    r = requests.get(f"{base}/api/channels/{channel_id}/messages")
    assert r.status_code == 401 and r.json()["code"] == "AUTH_REQUIRED"
