"""``make deploy-check``: docs/operations.md followed on this machine, end to end.

Starts what the guide describes — a PostgreSQL role and database with a password,
a Redis namespace, an S3-compatible bucket (moto in server mode), two
``guildhall serve`` nodes started from the shipped systemd unit's command line
with the shipped environment file's settings, and Debian's nginx with the
shipped config files (docs/deploy/, rendered with this machine's ports and
paths; never a copy) on a port other than 443 — then drives it through nginx
with stock clients (requests, python-socketio) from two source addresses, over
websocket and polling: cross-node delivery, an upload through one node read
through the other, the client address and origin behind the proxy, a node
stopped with SIGTERM while clients are attached, and restarted. Everything is
torn down at the end, whatever happened. Needs PostgreSQL (127.0.0.1:5432, user
postgres, trust) and Redis (127.0.0.1:6379) running; installs nginx with apt-get
when it is missing and this runs as root.
"""

from __future__ import annotations

import json
import os
import queue
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import redis
import requests
import socketio
import urllib3
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "docs" / "deploy"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SOURCES = ("127.0.0.1", "127.0.0.2")
# The addresses the shipped files name for the two nodes and the proxy.
SHIPPED_NODES = ("10.0.0.11:5000", "10.0.0.12:5000")
WAIT = 15
STARTED = time.monotonic()

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def step(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.1f}s] {text}", flush=True)


def check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def eventually(probe: Callable[[], bool], what: str, wait: float = WAIT) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            if probe():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out: {what}")


# -- the stack ----------------------------------------------------------------------


class Stack:
    """Everything started, each with its way to stop; ``down()`` undoes it all."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.undo: list[tuple[str, Callable[[], None]]] = []
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        log = open(self.work / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)

    def stop(self, name: str, sig: int = signal.SIGTERM) -> float:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return 0.0
        started = time.monotonic()
        proc.send_signal(sig)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        return time.monotonic() - started

    def log(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def down(self) -> None:
        for name in list(self.procs):
            self.stop(name)
        for what, undo in reversed(self.undo):
            try:
                undo()
            except Exception as exc:  # keep tearing down
                print(f"teardown: {what}: {exc}", file=sys.stderr)


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", HOST, "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
        capture_output=True,
    )


def shipped_env(values: dict[str, str]) -> dict[str, str]:
    """docs/deploy/guildhall.env with this machine's values: every key it names
    must get one (the guide and the check set the same settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUILDHALL_")}
    keys = []
    for line in (DEPLOY / "guildhall.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keys.append(line.split("=", 1)[0])
    missing = [k for k in keys if k not in values]
    check(not missing, f"deploy-check has no value for {missing} (guildhall.env names them)")
    env.update({k: values[k] for k in keys})
    return env


def shipped_command(port: int) -> list[str]:
    """The ExecStart line of docs/deploy/guildhall.service, on this machine."""
    unit = (DEPLOY / "guildhall.service").read_text()
    line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    argv = shlex.split(line.removeprefix("ExecStart="))
    check(Path(argv[0]).name == "guildhall", f"ExecStart runs {argv[0]}")
    argv[0] = str(BIN / "guildhall")
    argv[argv.index("--host") + 1] = HOST
    argv[argv.index("--port") + 1] = str(port)
    return argv


def stop_timeout() -> float:
    unit = (DEPLOY / "guildhall.service").read_text()
    return float(re.search(r"^TimeoutStopSec=(\d+)", unit, re.M).group(1))  # type: ignore[union-attr]


def render_nginx(work: Path, port: int, nodes: list[str]) -> Path:
    """nginx's main file (this harness's: pid, logs, temp paths) including the
    three shipped files, rendered with the nodes' and the listener's addresses."""
    conf = work / "nginx"
    conf.mkdir()
    (conf / "snippets").mkdir()

    def render(name: str, target: Path) -> None:
        text = (DEPLOY / "nginx" / name).read_text()
        for shipped, local in zip(SHIPPED_NODES, nodes, strict=True):
            text = text.replace(shipped, local)
        text = text.replace("listen 443 ", f"listen {HOST}:{port} ")
        text = re.sub(r"listen 80;", f"listen {HOST}:{free_port()};", text)
        text = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {conf}/cert.pem;", text)
        text = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {conf}/key.pem;", text)
        target.write_text(text)

    render("guildhall-upstreams.conf", conf / "guildhall-upstreams.conf")
    render("guildhall-locations.conf", conf / "snippets" / "guildhall-locations.conf")
    render("site-debian12.conf", conf / "site.conf")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(conf / "key.pem"),
         "-out", str(conf / "cert.pem")],
        check=True,
        capture_output=True,
    )  # fmt: skip
    user = "user root;" if os.geteuid() == 0 else ""
    main = conf / "nginx.conf"
    main.write_text(
        f"""{user}
worker_processes 1;
pid {conf}/nginx.pid;
error_log {work}/nginx-error.log info;
events {{ worker_connections 512; }}
http {{
    access_log {work}/nginx-access.log;
    client_body_temp_path {conf}/tmp-body;
    proxy_temp_path {conf}/tmp-proxy;
    fastcgi_temp_path {conf}/tmp-fastcgi;
    uwsgi_temp_path {conf}/tmp-uwsgi;
    scgi_temp_path {conf}/tmp-scgi;
    include {conf}/guildhall-upstreams.conf;
    include {conf}/site.conf;
}}
"""
    )
    return main


def ensure_nginx() -> str:
    for found in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if found and Path(found).exists():
            return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("deploy-check needs nginx: apt-get install nginx (as root)")
    step("installing Debian's nginx")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx"],
        check=True,
        env=env,
        capture_output=True,
    )
    return "/usr/sbin/nginx"


# -- clients ------------------------------------------------------------------------


class SourceAdapter(HTTPAdapter):
    """requests from a chosen source address (what nginx sees as the client)."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(source: str) -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # else REQUESTS_CA_BUNDLE overrides verify=False
    s.verify = False  # the throwaway self-signed certificate
    s.mount("https://", SourceAdapter(source))
    s.mount("http://", SourceAdapter(source))
    return s


class BoundSocketOption:
    """websocket-client's ``socket`` option, made fresh (bound to the source
    address, TLS-wrapped) for every connection python-engineio opens."""

    def __init__(self, source: str, port: int) -> None:
        self.source, self.port = source, port

    def keys(self) -> list[str]:
        return ["socket"]

    def __getitem__(self, key: str) -> Any:
        raw = socket.socket()
        raw.bind((self.source, 0))
        raw.settimeout(WAIT)
        raw.connect((HOST, self.port))
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx.wrap_socket(raw, server_hostname=HOST)

    def pop(self, key: str, default: Any = None) -> Any:
        return default


class Client:
    """A stock python-socketio client that queues every event it hears."""

    def __init__(self, name: str, source: str, transport: str, base: str, port: int) -> None:
        self.name, self.source, self.transport = name, source, transport
        self.http = session_from(source)
        self.sio = socketio.Client(
            http_session=self.http,
            ssl_verify=False,
            reconnection=True,
            reconnection_delay=0.5,
            reconnection_delay_max=2,
            websocket_extra_options=BoundSocketOption(source, port),
        )
        self.inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.disconnects: list[str] = []
        self.connects = 0
        self.sio.on("*", lambda event, data=None: self.inbox.put((event, data)))
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", lambda reason=None: self.disconnects.append(str(reason)))
        self.base = base

    def _on_connect(self) -> None:
        self.connects += 1

    def connect(self, token: str, room: str) -> None:
        self.token, self.room = token, room
        self.sio.connect(
            self.base, transports=[self.transport], auth={"token": token}, wait_timeout=WAIT
        )
        self.join()

    def join(self) -> None:
        ack = self.sio.call("join_room", {"room": self.room}, timeout=WAIT)
        check(ack.get("ok") is True, f"{self.name}: join_room answered {ack}")

    def next(self, name: str, match: Callable[[Any], bool] = lambda _: True) -> Any:
        deadline = time.monotonic() + WAIT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{self.name} ({self.transport}) never heard {name}")
            try:
                event, data = self.inbox.get(timeout=left)
            except queue.Empty:
                continue
            if event == name and match(data):
                return data

    def node(self) -> str | None:
        return self.http.cookies.get("guildhall_node")


def register(base: str, source: str, username: str) -> requests.Session:
    s = session_from(source)
    r = s.post(
        f"{base}/api/register",
        json={"username": username, "password": "correct horse battery",
              "email": f"{username}@example.com"},
    )  # fmt: skip
    check(r.status_code == 201, f"register {username}: {r.status_code} {r.text}")
    s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    s.user = r.json()  # type: ignore[attr-defined]
    return s


def socket_lines(stack: Stack, node: str) -> list[dict[str, Any]]:
    found = []
    for line in stack.log(node).splitlines():
        if line.startswith("{"):
            data = json.loads(line)
            if str(data.get("event", "")).startswith("socket_"):
                found.append(data)
    return found


# -- the check ----------------------------------------------------------------------


def run(stack: Stack) -> None:
    work = stack.work
    run_id = "deploycheck_" + uuid.uuid4().hex[:10]
    password = secrets.token_urlsafe(18)
    nginx = ensure_nginx()

    step(f"PostgreSQL: role and database {run_id}, with a password (guide step 1)")
    psql(f"CREATE ROLE {run_id} LOGIN PASSWORD '{password}'")
    stack.undo.append(("drop role", lambda: psql(f"DROP ROLE IF EXISTS {run_id}")))
    psql(f"CREATE DATABASE {run_id} OWNER {run_id}")
    stack.undo.append(
        ("drop database", lambda: psql(f"DROP DATABASE IF EXISTS {run_id} WITH (FORCE)"))
    )

    def drop_namespace() -> None:
        r = redis.Redis(host=HOST, port=6379)
        keys = list(r.scan_iter(f"{run_id}:*"))
        if keys:
            r.delete(*keys)
        r.close()

    stack.undo.append(("redis keys", drop_namespace))

    step("S3: moto in server mode, the bucket created before the first start")
    s3_port = free_port()
    stack.spawn("moto", [str(BIN / "moto_server"), "-H", HOST, "-p", str(s3_port)])
    s3_url = f"http://{HOST}:{s3_port}"
    eventually(lambda: requests.get(s3_url + "/moto-api/", timeout=2).ok, "moto_server", 90)
    bucket = run_id.replace("_", "-")
    s3 = boto3.client(
        "s3", endpoint_url=s3_url, region_name="us-east-1",
        aws_access_key_id="deploycheck", aws_secret_access_key="deploycheck",
    )  # fmt: skip
    s3.create_bucket(Bucket=bucket)

    ports = [free_port(), free_port()]
    edge = free_port()
    values = {
        "GUILDHALL_DATABASE_URL": f"postgresql+asyncpg://{run_id}:{password}@{HOST}:5432/{run_id}",
        "GUILDHALL_REDIS_URL": f"redis://{HOST}:6379/0",
        "GUILDHALL_REDIS_NAMESPACE": run_id,
        "GUILDHALL_SECRET_KEY": secrets.token_urlsafe(48),
        "GUILDHALL_TRUSTED_PROXIES": HOST,
        "GUILDHALL_SECURE_COOKIES": "true",
        "GUILDHALL_PUBLIC_URL": f"https://{HOST}:{edge}",
        "GUILDHALL_STORAGE": "s3",
        "GUILDHALL_S3_BUCKET": bucket,
        "GUILDHALL_S3_ENDPOINT_URL": s3_url,
        "GUILDHALL_S3_REGION": "us-east-1",
        "GUILDHALL_S3_ACCESS_KEY_ID": "deploycheck",
        "GUILDHALL_S3_SECRET_ACCESS_KEY": "deploycheck",
        "GUILDHALL_LOG_JSON": "true",
        "GUILDHALL_METRICS_ALLOW": "127.0.0.1",
    }
    envs = []
    for i in range(2):
        data = work / f"node{i}"
        data.mkdir()
        envs.append(shipped_env(values | {"GUILDHALL_DATA_DIR": str(data)}))

    step("guildhall db upgrade (guide: once per release, from one node)")
    subprocess.run(
        [str(BIN / "guildhall"), "db", "upgrade"], env=envs[0], check=True, capture_output=True
    )

    def start_node(i: int) -> None:
        stack.spawn(f"node{i}", shipped_command(ports[i]), env=envs[i])

    def ready(i: int) -> None:
        url = f"http://{HOST}:{ports[i]}/readyz"
        eventually(lambda: requests.get(url, timeout=2).status_code == 200, f"node{i} ready", 120)

    step(f"two nodes from the unit's ExecStart on ports {ports}")
    start_node(0)
    start_node(1)
    ready(0)
    ready(1)

    step(f"nginx {subprocess.run([nginx, '-v'], capture_output=True, text=True).stderr.strip()} "
         f"with the shipped files on https://{HOST}:{edge}")  # fmt: skip
    main = render_nginx(work, edge, [f"{HOST}:{p}" for p in ports])
    tested = subprocess.run([nginx, "-t", "-c", str(main)], capture_output=True, text=True)
    check(tested.returncode == 0, f"nginx -t refuses the shipped config:\n{tested.stderr}")
    stack.spawn("nginx", [nginx, "-c", str(main), "-g", "daemon off;"])
    base = f"https://{HOST}:{edge}"
    probe = session_from(SOURCES[0])
    eventually(lambda: probe.get(base + "/readyz", timeout=2).ok, "nginx")
    r = probe.get(base + "/readyz", timeout=5)
    check(r.json()["checks"] == {"database": "ok", "redis": "ok", "storage": "ok"}, r.text)

    step("accounts from two source addresses; a guild and a channel")
    alice = register(base, SOURCES[0], "alice")
    bob = register(base, SOURCES[1], "bob")
    r = alice.post(f"{base}/api/guilds", json={"name": "Deploy check"})
    check(r.status_code == 201, r.text)
    gid = r.json()["id"]
    r = alice.post(f"{base}/api/guilds/{gid}/channels", json={"name": "general"})
    check(r.status_code == 201, r.text)
    cid = r.json()["id"]
    code = alice.post(f"{base}/api/guilds/{gid}/invites", json={}).json()["code"]
    r = bob.post(f"{base}/api/invites/{code}/join")
    check(r.status_code in (200, 201), f"join: {r.status_code} {r.text}")
    room = f"g:{gid}:c:{cid}"

    step("the client address behind the proxy: each source has its own rate-limit window")
    before = int(bob.get(f"{base}/api/me").headers["X-RateLimit-Remaining"])
    for _ in range(3):
        alice.get(f"{base}/api/me")
    after = int(bob.get(f"{base}/api/me").headers["X-RateLimit-Remaining"])
    check(after == before - 1, f"bob's window moved with alice's requests: {before} -> {after}")

    step("sockets: websocket and polling from both addresses, spread over both nodes")
    clients = []
    for name, who, source in (("alice", alice, SOURCES[0]), ("bob", bob, SOURCES[1])):
        for transport in ("websocket", "polling"):
            c = Client(f"{name}-{transport}", source, transport, base, edge)
            c.connect(who.cookies["session"], room)
            clients.append(c)
    placed = {n: len([x for x in socket_lines(stack, n) if x["event"] == "socket_connect"])
              for n in ("node0", "node1")}  # fmt: skip
    check(all(placed.values()), f"every socket on one node: {placed}")
    seen = {x["client"] for n in ("node0", "node1") for x in socket_lines(stack, n)}
    check(seen == set(SOURCES), f"the nodes saw socket clients {seen}, not {set(SOURCES)}")
    step(f"  sockets per node (access log): {placed}")

    def broadcast(text: str) -> None:
        r = alice.post(f"{base}/api/channels/{cid}/messages", json={"content": text})
        check(r.status_code == 201, f"send: {r.status_code} {r.text}")
        for c in clients:
            c.next("new_message", lambda m, t=text: m.get("content") == t)

    broadcast("hello, both nodes")

    step("origin behind the proxy: our page's origin passes, another is refused")
    # python-socketio's websocket transport sends the Origin of the URL it was
    # given (https://127.0.0.1:<port>): it passes only if the node sees the host,
    # port and scheme the client used, through nginx's X-Forwarded-* headers.
    ours = socketio.Client(http_session=session_from(SOURCES[0]), ssl_verify=False)
    ours.connect(base, transports=["websocket"], wait_timeout=WAIT,
                 auth={"token": alice.cookies["session"]})  # fmt: skip
    ours.disconnect()
    evil = socketio.Client(http_session=session_from(SOURCES[0]), ssl_verify=False)
    try:
        evil.connect(base, transports=["polling"], headers={"Origin": "https://evil.example"},
                     wait_timeout=5)  # fmt: skip
        raise AssertionError("a foreign origin was let in")
    except socketio.exceptions.ConnectionError:
        pass

    step("an upload through node0, read through node1 and through nginx")
    body = secrets.token_hex(100_000).encode()  # 200 kB of text/plain
    direct = [f"http://{HOST}:{p}" for p in ports]
    # Straight to the nodes (plain HTTP, where the Secure session cookie is not
    # sent): the bearer token instead.
    bearer = {"Authorization": f"Bearer {alice.user['token']}"}  # type: ignore[attr-defined]
    node_http = session_from(SOURCES[0])
    r = node_http.post(f"{direct[0]}/api/upload", files={"file": ("notes.txt", body)},
                       headers=bearer)  # fmt: skip
    check(r.status_code == 201, f"upload: {r.status_code} {r.text}")
    url = "/" + r.json()["path"]
    got = node_http.get(f"{direct[1]}{url}", headers=bearer)
    check(got.status_code == 200 and got.content == body, f"node1 read {got.status_code}")
    got = bob.get(f"{base}{url}")
    check(got.status_code == 200 and got.content == body, f"nginx read {got.status_code}")

    step("SIGTERM node0 with clients attached")
    took = stack.stop("node0")
    # Under uvicorn's own graceful timeout (5 s, which parked long-polls used to
    # run out) and far under the unit's TimeoutStopSec.
    check(took < min(5.0, stop_timeout()), f"node0 took {took:.1f}s to stop")
    step(f"  node0 stopped in {took:.2f}s")
    # A client hears of the close on its own thread, a moment after the process is
    # gone (under CI's load, after this line): wait for as many as node0 had.
    eventually(
        lambda: sum(bool(c.disconnects) for c in clients) >= placed["node0"],
        f"the {placed['node0']} clients on node0 heard their sockets close",
    )
    moved = [c for c in clients if c.disconnects]
    check(len(moved) == placed["node0"], f"{len(moved)} clients moved, node0 had {placed}")
    eventually(lambda: all(c.sio.connected and c.connects == 2 for c in moved), "reconnected")
    for c in moved:
        c.join()  # a new socket on node1: the client joins its room again
    broadcast("after node0 stopped")
    step(f"  reconnected through nginx to node1: {[c.name for c in moved]}")

    step("node0 restarted; after nginx's fail_timeout, the clients stay where they are")
    lost = {c.name: len(c.disconnects) for c in clients}
    start_node(0)
    ready(0)
    upstreams = (DEPLOY / "nginx" / "guildhall-upstreams.conf").read_text()
    fail_timeout = int(re.search(r"fail_timeout=(\d+)s", upstreams).group(1))  # type: ignore[union-attr]
    time.sleep(fail_timeout + 1)  # nginx retries node0 only once that has passed
    broadcast("after node0 came back")
    check(
        {c.name: len(c.disconnects) for c in clients} == lost,
        "a client lost its session when node0 came back",
    )
    fresh = []
    for i in range(4):
        c = Client(f"fresh-{i}", SOURCES[i % 2], "polling", base, edge)
        c.connect(alice.cookies["session"], room)
        fresh.append(c)
    check(any(c.node() == "a" for c in fresh), "no new socket reached the restarted node")
    clients.extend(fresh)
    broadcast("everyone, once more")

    step("access log: a line per socket connect and disconnect, on both nodes")
    for c in clients:
        c.sio.disconnect()
    for node in ("node0", "node1"):
        eventually(
            lambda n=node: (
                {x["event"] for x in socket_lines(stack, n)}
                == {"socket_connect", "socket_disconnect"}
            ),
            f"{node}'s access log has socket connect and disconnect lines",
        )


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="guildhall-deploy-check-"))
    stack = Stack(work)

    def on_signal(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    ok = False
    failure = ""
    try:
        run(stack)
        ok = True
    except (Exception, KeyboardInterrupt) as exc:
        failure = f"{type(exc).__name__}: {exc}"
        print(f"DEPLOY CHECK FAILED: {failure}", file=sys.stderr)
        for name in ("node0", "node1", "nginx-error"):
            tail = stack.log(name).splitlines()[-15:]
            if tail:
                print(f"--- {name}.log (last lines)\n" + "\n".join(tail), file=sys.stderr)
    finally:
        stack.down()
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs kept in {work}", file=sys.stderr)
    # Again last: CI shows the tail of the output, and the logs above are long.
    step("deploy check passed" if ok else f"deploy check failed: {failure}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
