"""The lifetime of an upload, attacked on the real ``guildhall serve`` process
(contract section 19). Finding: "Upload, attach, delete the message: GET
/uploads/<path> still answers 200 with Cache-Control: public, immutable, and the
upload can be attached again." An upload goes with the last message holding it,
whoever deletes it and however; one never attached goes after 24 hours."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
import requests

from tests.e2e.conftest import ServerProcess, register, spawn_server  # noqa: F401 (fixture)
from tests.files import samples
from tests.files.s3server import MotoServer, shared_server
from tests.security.patient import patient_start  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e


class Chat:
    def __init__(self, live: ServerProcess) -> None:
        self.url = live.url
        self.alice = register(live.url, "alice")
        self.bob = register(live.url, "bob")
        r = self.alice.post(f"{self.url}/api/guilds", json={"name": "G"})
        self.guild = r.json()["id"]
        code = self.alice.post(f"{self.url}/api/guilds/{self.guild}/invites", json={}).json()
        self.bob.post(f"{self.url}/api/invites/{code['code']}/join")
        self.channel = self.new_channel("general")

    def new_channel(self, name: str) -> int:
        r = self.alice.post(f"{self.url}/api/guilds/{self.guild}/channels", json={"name": name})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def upload(self, who: requests.Session, name: str = "a.png") -> str:
        r = who.post(f"{self.url}/api/upload", files={"file": (name, samples.png())})
        assert r.status_code == 201, r.text
        return r.json()["path"]

    def send(self, who: requests.Session, paths: list[str], channel: int | None = None) -> Any:
        return who.post(
            f"{self.url}/api/channels/{channel or self.channel}/messages",
            json={"content": "see", "files": paths},
        )

    def sent(self, who: requests.Session, paths: list[str], channel: int | None = None) -> int:
        r = self.send(who, paths, channel)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def delete(self, who: requests.Session, message_id: int) -> None:
        r = who.delete(f"{self.url}/api/messages/{message_id}")
        assert r.status_code == 200, r.text

    def status(self, path: str) -> int:
        return requests.get(f"{self.url}/{path}", timeout=5).status_code

    def gone(self, who: requests.Session, path: str) -> None:
        assert self.status(path) == 404
        r = self.send(who, [path])
        assert r.status_code == 400 and r.json()["code"] == "INVALID_INPUT", r.text


def wait_for(check: Callable[[], bool], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


class TestDeletingTheLastHolder:
    def test_by_author_moderator_channel_and_guild(self, spawn_server):  # noqa: F811
        chat = Chat(spawn_server())
        alice, bob = chat.alice, chat.bob

        # The author deletes: the file goes, and cannot be attached again.
        path = chat.upload(bob)
        chat.delete(bob, chat.sent(bob, [path]))
        chat.gone(bob, path)

        # Held by two messages: the file stays until the second goes too.
        path = chat.upload(bob)
        first, second = chat.sent(bob, [path]), chat.sent(bob, [path])
        chat.delete(bob, first)
        assert chat.status(path) == 200
        chat.delete(alice, second)  # by a moderator (the guild owner)
        chat.gone(bob, path)

        # Channel deletion; guild deletion.
        path = chat.upload(bob)
        doomed = chat.new_channel("doomed")
        chat.sent(bob, [path], doomed)
        assert alice.delete(f"{chat.url}/api/channels/{doomed}").status_code == 200
        chat.gone(bob, path)
        path = chat.upload(bob)
        chat.sent(bob, [path])
        assert alice.delete(f"{chat.url}/api/guilds/{chat.guild}").status_code == 200
        assert chat.status(path) == 404

    def test_by_retention(self, spawn_server):  # noqa: F811
        chat = Chat(spawn_server(GUILDHALL_MAX_MESSAGES_PER_CHANNEL="2"))
        path = chat.upload(chat.bob)
        kept = chat.upload(chat.bob)
        chat.sent(chat.bob, [path])
        chat.sent(chat.bob, [kept])
        chat.sent(chat.bob, [])  # trims the oldest
        assert chat.status(path) == 404
        assert chat.status(kept) == 200


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> MotoServer:
    return shared_server(tmp_path_factory, request)


class TestUnattachedUploads:
    SWEEP: ClassVar[dict[str, str]] = {
        "GUILDHALL_UNATTACHED_UPLOAD_HOURS": "0.001",  # 3.6 seconds
        "GUILDHALL_UPLOAD_SWEEP_SECONDS": "0.5",
    }

    def check(self, chat: Chat) -> str:
        attached, loose = chat.upload(chat.bob), chat.upload(chat.bob)
        chat.sent(chat.bob, [attached])
        assert chat.status(loose) == 200  # not yet 3.6 s old
        assert wait_for(lambda: chat.status(loose) == 404)
        assert chat.status(attached) == 200
        r = chat.send(chat.bob, [loose])
        assert r.status_code == 400 and r.json()["code"] == "INVALID_INPUT"
        return attached

    def test_on_two_nodes_sharing_the_data(self, spawn_server, tmp_path):  # noqa: F811
        shared = tmp_path / "shared"
        first = spawn_server(data_dir=shared, **self.SWEEP)
        chat = Chat(first)
        if first.env.get("GUILDHALL_DATABASE_URL"):  # PostgreSQL: a second node sweeps too
            spawn_server(data_dir=shared, **self.SWEEP)
        attached = self.check(chat)
        stored = [p.relative_to(shared).as_posix() for p in shared.rglob("*.png")]
        assert stored == [attached]

    def test_on_s3(self, spawn_server, moto):  # noqa: F811
        bucket = moto.new_bucket()
        chat = Chat(spawn_server(**moto.env(bucket), **self.SWEEP))
        attached = self.check(chat)
        assert moto.keys(bucket) == [attached]
