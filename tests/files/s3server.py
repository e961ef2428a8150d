"""A real S3-compatible server for tests: moto's ``moto_server``, as a subprocess
bound to 127.0.0.1 on a free port, shared by the whole test session; each test
gets a bucket of its own."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from tests.conftest import free_port

MOTO_SERVER = str(Path(sys.executable).parent / "moto_server")
HOST = "127.0.0.1"
CREDENTIALS = {"s3_access_key_id": "testing", "s3_secret_access_key": "testing"}
REGION = "us-east-1"


class MotoServer:
    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> MotoServer:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [MOTO_SERVER, "-H", HOST, "-p", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto_server exited: {self.log.read_text()[-3000:]}")
            try:
                requests.get(self.url + "/moto-api/", timeout=1)
                return self
            except (requests.ConnectionError, requests.Timeout):  # a busy machine is slow to answer
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def client(self) -> Any:
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def new_bucket(self) -> str:
        name = f"gh-{uuid.uuid4().hex[:20]}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str, **extra: Any) -> dict[str, Any]:
        """Settings overrides that point the app at ``bucket`` on this server."""
        return {
            "storage": "s3",
            "s3_bucket": bucket,
            "s3_endpoint_url": self.url,
            "s3_region": REGION,
            **CREDENTIALS,
            **extra,
        }

    def env(self, bucket: str) -> dict[str, str]:
        """The same, as a server process's environment."""
        return {f"GUILDHALL_{k.upper()}": str(v) for k, v in self.settings(bucket).items()}

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(o["Key"] for o in listed.get("Contents", []))

    def read(self, bucket: str, key: str) -> bytes:
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()


_running: MotoServer | None = None


def shared_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> MotoServer:
    """The session's moto server, started on first use and stopped when the session
    ends (every session fixture that asks gets the same one)."""
    global _running
    if _running is None:
        _running = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log").start()
        request.addfinalizer(_running.stop)
    return _running


@pytest.fixture(scope="session")
def moto_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> MotoServer:
    return shared_server(tmp_path_factory, request)


@pytest.fixture
def s3_bucket(moto_server: MotoServer) -> str:
    """A fresh, empty bucket for one test."""
    return moto_server.new_bucket()
