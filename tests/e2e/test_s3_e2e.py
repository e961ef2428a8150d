"""Real server processes storing files in an S3-compatible bucket (a moto server on
127.0.0.1): one node round-trips uploads; two nodes with different data dirs,
sharing PostgreSQL, Redis and the bucket, serve each other's files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.conftest import BACKEND
from tests.e2e.conftest import ServerProcess, register
from tests.files import samples
from tests.files.s3server import MotoServer, shared_server

pytestmark = pytest.mark.e2e

BLOB = samples.zip_of({f"f{i}.bin": bytes(range(256)) * 700 for i in range(8)})


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> MotoServer:
    return shared_server(tmp_path_factory, request)


@pytest.fixture
def bucket(moto: MotoServer) -> str:
    return moto.new_bucket()


def files_on_disk(node: ServerProcess) -> list[Path]:
    return [p for p in node.data_dir.rglob("*") if p.is_file() and "uploads" in p.parts]


def upload(base: str, session: requests.Session, data: bytes, name: str) -> dict:
    r = session.post(f"{base}/api/upload", files={"file": (name, data)})
    assert r.status_code == 201, r.text
    return r.json()


class TestOneNodeOnS3:
    def test_upload_round_trip_through_the_bucket(
        self, spawn_server: Callable[..., ServerProcess], moto: MotoServer, bucket: str
    ):
        node = spawn_server(**moto.env(bucket))
        alice = register(node.url, "alice")
        body = upload(node.url, alice, BLOB, "bundle.zip")
        assert moto.keys(bucket) == [body["path"]]
        got = requests.get(f"{node.url}/{body['path']}")
        assert got.status_code == 200 and got.content == BLOB
        assert got.headers["Content-Disposition"].startswith("attachment")
        part = requests.get(f"{node.url}/{body['path']}", headers={"Range": "bytes=1000-1999"})
        assert part.status_code == 206 and part.content == BLOB[1000:2000]
        assert files_on_disk(node) == []

    def test_missing_bucket_stops_the_server(
        self, spawn_server: Callable[..., ServerProcess], moto: MotoServer
    ):
        env = moto.env("no-such-bucket-e2e")
        with pytest.raises(RuntimeError, match="no-such-bucket-e2e"):
            spawn_server(**env)


@pytest.mark.skipif(
    BACKEND != "postgres",
    reason="several nodes need the shared PostgreSQL + Redis (runs in the scaled-out suite)",
)
class TestTwoNodesShareTheBucket:
    def test_file_uploaded_on_one_node_is_served_by_the_other(
        self, spawn_server: Callable[..., ServerProcess], moto: MotoServer, bucket: str
    ):
        n1 = spawn_server(**moto.env(bucket))
        n2 = spawn_server(**moto.env(bucket))
        assert n1.data_dir != n2.data_dir
        alice = register(n1.url, "alice")
        body = upload(n1.url, alice, BLOB, "bundle.zip")

        got = requests.get(f"{n2.url}/{body['path']}")
        assert got.status_code == 200 and got.content == BLOB
        assert got.headers["ETag"] == requests.head(f"{n1.url}/{body['path']}").headers["ETag"]
        part = requests.get(f"{n2.url}/{body['path']}", headers={"Range": "bytes=-4096"})
        assert part.status_code == 206 and part.content == BLOB[-4096:]
        assert files_on_disk(n1) == [] and files_on_disk(n2) == []

    def test_guild_images_cross_nodes_and_go_with_the_guild(
        self, spawn_server: Callable[..., ServerProcess], moto: MotoServer, bucket: str
    ):
        n1 = spawn_server(**moto.env(bucket))
        n2 = spawn_server(**moto.env(bucket))
        alice = register(n1.url, "alice")
        gid = alice.post(f"{n1.url}/api/guilds", json={"name": "Shared"}).json()["id"]
        png = samples.png((24, 24))
        r = alice.post(
            f"{n1.url}/api/guilds/{gid}/emojis",
            files={"file": ("e.png", png, "image/png")},
            data={"name": "wave"},
        )
        assert r.status_code == 201, r.text
        path = r.json()["file_path"]
        served = requests.get(f"{n2.url}/{path}")
        assert served.status_code == 200 and served.content == png

        assert alice.delete(f"{n2.url}/api/guilds/{gid}").status_code == 200
        assert moto.keys(bucket) == []
        assert requests.get(f"{n1.url}/{path}").status_code == 404
