"""Fan-out benchmark: Guildhall against a bare python-socketio server,
Flask-SocketIO on gevent and a minimal frame-once server (the ceiling,
``ceiling_server.py``), in one run, on 127.0.0.1 only.

Each server runs pinned to core 0 (``taskset -c 0``), the load processes
(``load.py``, lean raw-WebSocket clients) to core 1. Per server:

1. idle memory: RSS growth for 5000 connected, signed-in sockets in a room,
   after a 500-socket warm-up (RSS delta ÷ sockets);
2. verification: lean clients and stock python-socketio clients in one room at
   10 msg/s must both see everything, with similar latency;
3. fan-out: one sender, rooms of 100 and 1000 sockets, 10 and 60 msg/s and
   saturation. All servers stay up with their listeners connected and each
   phase runs on each server in turn (the order rotating every round), so the
   numbers compared are minutes apart at most on this shared machine. Every
   phase runs ``--repeat`` times (5; ``--quick``: 3, and the report says so);
   each cell is the median of its runs with their min–max and spread
   (``bench/stats.py``). Saturation phases measure throughput (deliveries/s,
   and Guildhall ÷ bare and Guildhall ÷ ceiling from the medians); fixed-rate
   phases measure reach and latency only: their deliveries/s is the offered
   rate stretched by the last delivery's lateness, a latency tail rather than a
   throughput.

The ceiling also checks the load: if the lean client cannot receive what the
ceiling sends (reach below 1, or the load process busier than the server), no
server's saturation number is the server's, and the report says so.

Writes ``bench/results/fanout.json`` and ``bench/results/fanout.md``.

    python bench/fanout/run.py [--quick] [--servers guildhall,bare,flask,ceiling]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import show, spread  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PROJECT_PY = ROOT / ".venv" / "bin" / "python"
GUILDHALL = ROOT / ".venv" / "bin" / "guildhall"
BASELINE_VENV = ROOT / "bench" / ".venv-baseline"
BASELINE_PACKAGES = ["flask-socketio==5.7.0", "gevent==26.9.0", "gevent-websocket==0.10.1"]
SERVER_CORE, LOAD_CORE = "0", "1"
LISTENER_USERS = 20
PASSWORD = "benchmark password 1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- servers --------------------------------------------------------------------


class Server:
    name: str
    start_timeout = 60.0  # seconds; longer on a machine busy with other work
    base: dict[str, Any]  # what every load process needs: address, tokens, rooms

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.tmp = Path(tempfile.mkdtemp(prefix=f"fanout-{self.name}-"))

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if not k.startswith("GUILDHALL_")}

    def start(self) -> None:
        logf = open(self.tmp / "server.log", "wb")  # lives as long as the process
        self.proc = subprocess.Popen(
            ["taskset", "-c", SERVER_CORE, *self.command()],
            env=self.env(),
            stdout=logf,
            stderr=subprocess.STDOUT,
            cwd=HERE,
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_tail()}")
            try:
                r = requests.get(f"{self.url}/socket.io/?EIO=4&transport=polling", timeout=1)
                if r.status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start: {self.log_tail()}")

    def log_tail(self) -> str:
        return (self.tmp / "server.log").read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        # Keep the server's log with the results (warnings such as dropped sockets).
        RESULTS.joinpath("tmp").mkdir(parents=True, exist_ok=True)
        log_file = self.tmp / "server.log"
        if log_file.exists():
            shutil.copy(log_file, RESULTS / "tmp" / f"fanout-{self.name}.log")
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def setup(self) -> dict[str, Any]:
        """Tokens and rooms for the load process."""
        return {
            "sender_token": "",
            "listener_tokens": [""],
            "rooms": {"100": "room-100", "1000": "room-1000"},
            "idle_room": "room-idle",
            "verify_room": "room-verify",
        }


class GuildhallServer(Server):
    name = "guildhall"
    profile: Path | None = None  # cProfile output, with --profile
    source: Path | None = None  # another checkout to run (--source), e.g. a git worktree

    def command(self) -> list[str]:
        serve = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.profile is None:
            return [str(GUILDHALL), *serve]
        return [str(PROJECT_PY), str(HERE / "profiled.py"), str(self.profile), *serve]

    def stop(self) -> None:
        if self.profile is not None and self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGUSR1)
            time.sleep(3)
            log(f"profile written to {self.profile}")
        super().stop()

    def env(self) -> dict[str, str]:
        env = super().env()
        env["GUILDHALL_DATA_DIR"] = str(self.tmp / "data")
        if self.source is not None:
            # This venv's dependencies, that checkout's code (before this one's).
            env["PYTHONPATH"] = str(self.source.resolve() / "src")
        for limit in ("API", "SOCKET", "UPLOAD", "MESSAGE", "FRIEND_REQUEST"):
            env[f"GUILDHALL_{limit}_RATE_LIMIT"] = "off"
        # Every listener comes from 127.0.0.1, hundreds at once: the default cap of
        # unauthenticated sockets per address (100) refused some of them at the
        # handshake whenever sign-in fell behind ("closed before connecting").
        env["GUILDHALL_SOCKETS_PER_IP"] = "1000000"
        # The frame-once transport unless the caller asks for the old path
        # (GUILDHALL_BENCH_DIRECT_WRITE=false).
        env["GUILDHALL_SOCKET_DIRECT_WRITE"] = os.environ.get(
            "GUILDHALL_BENCH_DIRECT_WRITE", "true"
        )
        return env

    def setup(self) -> dict[str, Any]:
        def register(name: str) -> requests.Session:
            s = requests.Session()
            r = s.post(
                f"{self.url}/api/register",
                json={"username": name, "password": PASSWORD, "email": f"{name}@bench.example"},
            )
            r.raise_for_status()
            s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
            s.token = r.json()["token"]  # type: ignore[attr-defined]
            return s

        owner = register("sender")
        r = owner.post(f"{self.url}/api/guilds", json={"name": "Bench"})
        r.raise_for_status()
        gid = r.json()["id"]
        rooms = {}
        for name in ("r100", "r1000", "idle", "verify"):
            r = owner.post(f"{self.url}/api/guilds/{gid}/channels", json={"name": name})
            r.raise_for_status()
            rooms[name] = f"g:{gid}:c:{r.json()['id']}"
        code = owner.post(f"{self.url}/api/guilds/{gid}/invites", json={}).json()["code"]
        tokens = []
        for i in range(LISTENER_USERS):
            user = register(f"listener{i}")
            user.post(f"{self.url}/api/invites/{code}/join").raise_for_status()
            tokens.append(user.token)  # type: ignore[attr-defined]
        return {
            "sender_token": owner.token,  # type: ignore[attr-defined]
            "listener_tokens": tokens,
            "rooms": {"100": rooms["r100"], "1000": rooms["r1000"]},
            "idle_room": rooms["idle"],
            "verify_room": rooms["verify"],
        }


class BareServer(Server):
    name = "bare-python-socketio"

    def command(self) -> list[str]:
        return [str(PROJECT_PY), str(HERE / "bare_server.py"), str(self.port)]


class CeilingServer(Server):
    name = "ceiling"

    def command(self) -> list[str]:
        return [str(PROJECT_PY), str(HERE / "ceiling_server.py"), str(self.port)]


class FlaskServer(Server):
    name = "flask-socketio-gevent"

    def command(self) -> list[str]:
        python = BASELINE_VENV / "bin" / "python"
        return [str(python), str(HERE / "flask_server.py"), str(self.port)]


def ensure_baseline_venv() -> dict[str, str]:
    py = BASELINE_VENV / "bin" / "python"
    if not py.exists():
        log("creating bench/.venv-baseline (flask-socketio, gevent, gevent-websocket)")
        subprocess.run([sys.executable, "-m", "venv", str(BASELINE_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", *BASELINE_PACKAGES], check=True)
    out = subprocess.run(
        [str(py), "-m", "pip", "list", "--format=json"], check=True, capture_output=True
    )
    wanted = {"flask-socketio", "python-socketio", "python-engineio", "gevent", "gevent-websocket"}
    return {
        p["name"].lower(): p["version"]
        for p in json.loads(out.stdout)
        if p["name"].lower() in wanted
    }


# -- load ------------------------------------------------------------------------


class LoadProcess:
    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg_file = cfg_file = Path(tempfile.mkstemp(suffix=".json")[1])
        cfg_file.write_text(json.dumps(cfg))
        self.proc = subprocess.Popen(
            ["taskset", "-c", LOAD_CORE, str(PROJECT_PY), str(HERE / "load.py"), str(cfg_file)],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def lines(self) -> Any:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            data = json.loads(line)
            if data.get("event") == "error":
                raise RuntimeError(f"load process failed: {data['error']}")
            yield data

    def tell(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def finish(self) -> None:
        try:
            self.proc.wait(60)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.cfg_file.unlink(missing_ok=True)


def measure_idle_memory(server: Server, base: dict[str, Any], sockets: int) -> dict[str, Any]:
    assert server.proc is not None
    pid = server.proc.pid

    def connect(n: int) -> tuple[int, float]:
        load = LoadProcess({**base, "mode": "idle", "sockets": n})
        lines = load.lines()
        info = next(lines)
        assert info["event"] == "connected", info
        time.sleep(3)  # let connect-time work (presence, history) settle
        rss = rss_kib(pid)
        load.tell("close")
        for data in lines:
            if data["event"] == "closed":
                break
        load.finish()
        time.sleep(2)
        return rss, info["seconds"]

    connect(500)  # warm-up: first-use allocations are not per-socket costs
    before = rss_kib(pid)
    during, seconds = connect(sockets)
    return {
        "sockets": sockets,
        "rss_before_kib": before,
        "rss_with_sockets_kib": during,
        "kib_per_socket": round((during - before) / sockets, 1),
        "connect_seconds": round(seconds, 1),
    }


def prepare(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    """Start the server, set it up, measure idle memory and verify the lean client."""
    log(f"{server.name}: starting on :{server.port}")
    server.start()
    assert server.proc is not None
    # The load process reads the server's CPU time around each phase (load.py).
    server.base = {
        "host": "127.0.0.1",
        "port": server.port,
        "server_pid": server.proc.pid,  # taskset execs: the server's own pid
        **server.setup(),
    }
    result: dict[str, Any] = {"name": server.name}
    if not args.skip_memory:
        log(f"{server.name}: idle memory at {args.idle_sockets} sockets")
        result["memory"] = measure_idle_memory(server, server.base, args.idle_sockets)
        log(f"{server.name}: {result['memory']}")
    load = LoadProcess({**server.base, "mode": "verify", "duration": 3, "drain": 3})
    result["verify"] = next(iter(load.lines()))
    result["verify"].pop("event")
    load.finish()
    log(f"{server.name}: verify {result['verify']}")
    result["fanout"], result["samples"] = [], []
    return result


def fan_out(servers: list[Server], results: dict[str, Any], args: argparse.Namespace) -> None:
    """Every phase runs on each server in turn, so that the machine's other load
    (it is shared) drifts as little as possible between the numbers compared."""
    loads = {}
    for server in servers:
        cfg = {
            **server.base,
            "mode": "fanout",
            "duration": args.duration,
            "drain": args.drain,
            "sample_every": 10,
        }
        loads[server.name] = load = LoadProcess(cfg)
        assert next(load.lines())["event"] == "ready"
        log(f"{server.name}: 1100 listeners joined")
    try:
        for round_ in range(args.repeat):
            for size, rate in args.phases:
                # Rotate who goes first: a drift during a phase is not always
                # charged to the same server.
                k = round_ % len(servers)
                for server in servers[k:] + servers[:k]:
                    load = loads[server.name]
                    load.tell(f"{size} {rate}")
                    data = next(load.lines())
                    data.pop("event")
                    data["round"] = round_
                    results[server.name]["samples"].append(data)
                    log(f"{server.name}: {data}")
    finally:
        for load in loads.values():
            load.tell("quit")
            load.finish()
    for res in results.values():
        res["fanout"] = cells(res["samples"], args.phases)


# -- statistics ------------------------------------------------------------------

DIGITS = {"reach": 4, "deliveries_per_s": 0, "sent": 0}
NOT_MEASURES = {"room_size", "rate", "round"}


def phase_runs(samples: list[dict[str, Any]], size: int, rate: Any) -> list[dict[str, Any]]:
    return [r for r in samples if r["room_size"] == size and str(r["rate"]) == str(rate)]


def cells(samples: list[dict[str, Any]], phases: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """One cell per phase: every measure as the median of its runs with min–max
    and spread; sockets re-joined summed; lists (per-message values) pooled."""
    out = []
    for size, rate in dict.fromkeys(phases):
        runs = phase_runs(samples, size, rate)
        if not runs:
            continue
        cell: dict[str, Any] = {"room_size": size, "rate": runs[0]["rate"], "runs": len(runs)}
        for key in dict.fromkeys(k for r in runs for k in r):
            values = [r.get(key) for r in runs]
            if key in NOT_MEASURES:
                continue
            if key == "reconnected_sockets":
                cell[key] = sum(v or 0 for v in values)
            elif any(isinstance(v, list) for v in values):
                cell[key] = [x for v in values if v for x in v]
            else:
                cell[key] = spread(values, DIGITS.get(key, 2))
        out.append(cell)
    return out


def median_of(cell: dict[str, Any] | None, key: str) -> Any:
    return None if cell is None else (cell.get(key) or {}).get("median")


# -- report ------------------------------------------------------------------------


def find(rows: list[dict[str, Any]], size: int, rate: Any) -> dict[str, Any] | None:
    return next((r for r in rows if r["room_size"] == size and str(r["rate"]) == str(rate)), None)


def _cells(
    report: dict[str, Any], phases: list[tuple[Any, str]]
) -> Iterator[tuple[str, Any, str, dict[str, Any]]]:
    """(server, room size, rate, row) of every phase each server ran, phase by phase."""
    for size, rate in phases:
        for name, res in report["servers"].items():
            row = find(res["fanout"], size, rate)
            if row is not None:
                yield name, size, rate, row


def throughput_ratio(
    top: dict[str, Any], bottom: dict[str, Any], size: int
) -> dict[str, Any] | None:
    """``top`` ÷ ``bottom`` deliveries/s at saturation in rooms of ``size``: the
    ratio of the medians, and the ratio of each round's pair (the two runs next
    to each other in time) as its spread. Fixed-rate phases have none."""
    t = median_of(find(top["fanout"], size, "sat"), "deliveries_per_s")
    b = median_of(find(bottom["fanout"], size, "sat"), "deliveries_per_s")
    if not t or not b:
        return None
    below = {r["round"]: r["deliveries_per_s"] for r in phase_runs(bottom["samples"], size, "sat")}
    per_round = [
        r["deliveries_per_s"] / below[r["round"]]
        for r in phase_runs(top["samples"], size, "sat")
        if below.get(r["round"])
    ]
    return {"ratio_of_medians": round(t / b, 2), "per_round": spread(per_round)}


def ratios(results: dict[str, Any], bottom: str = "bare-python-socketio") -> dict[str, Any]:
    """Guildhall ÷ ``bottom`` at saturation, per room size both ran."""
    g, b = results.get("guildhall"), results.get(bottom)
    if not g or not b:
        return {}
    out = {f"{size}@sat": throughput_ratio(g, b, size) for size in (100, 1000)}
    return {k: v for k, v in out.items() if v}


BUSY = 0.8  # share of a core: a process at least this busy was working flat out


def load_check(results: dict[str, Any]) -> dict[str, Any]:
    """Did the load outrun the ceiling, per room size at saturation? ``verdict``:

    * ``outran``: the ceiling reached every socket in every run, delivered more
      per second than every other server (medians), and the ceiling server worked
      flat out (CPU ≥ ``BUSY``) while the load process was less busy: the server
      set the pace.
    * ``not outran``: reach below 1, another server as fast, or the load process
      working flat out and at least as busy as the server: the client set the pace.
    * ``inconclusive``: otherwise, i.e. neither process had most of a core (other
      work on the machine took it), so who set the pace cannot be told.
    """
    ceiling = results.get(CeilingServer.name)
    if not ceiling:
        return {}
    out = {}
    for cell in ceiling["fanout"]:
        if cell["rate"] != "sat":
            continue
        size = cell["room_size"]
        others = {
            name: median_of(find(res["fanout"], size, "sat"), "deliveries_per_s")
            for name, res in results.items()
            if name != CeilingServer.name
        }
        top = median_of(cell, "deliveries_per_s")
        load_cpu, server_cpu = median_of(cell, "load_cpu"), median_of(cell, "server_cpu")
        cost = median_of(cell, "server_us_per_delivery")
        guildhall_cost = median_of(
            find(results.get("guildhall", {}).get("fanout", []), size, "sat"),
            "server_us_per_delivery",
        )
        reach_min = (cell.get("reach") or {}).get("min")
        checks = {
            "reach_stayed_1": reach_min == 1,
            "above_every_server": top is not None
            and all(v is not None and top > v for v in others.values()),
            "server_flat_out": server_cpu is not None and server_cpu >= BUSY,
            "load_less_busy": load_cpu is not None
            and server_cpu is not None
            and load_cpu < server_cpu,
        }
        if all(checks.values()):
            verdict = "outran"
        elif (
            not checks["reach_stayed_1"]
            or not checks["above_every_server"]
            or (load_cpu is not None and load_cpu >= BUSY and not checks["load_less_busy"])
        ):
            verdict = "not outran"
        else:
            verdict = "inconclusive"
        out[str(size)] = {
            "verdict": verdict,
            **checks,
            "ceiling_reach_min": reach_min,
            "ceiling_deliveries_per_s": top,
            "others_deliveries_per_s": others,
            "load_cpu": load_cpu,
            "server_cpu": server_cpu,
            # Ceiling ÷ Guildhall CPU per delivery: Guildhall ÷ ceiling in deliveries
            # per CPU second, an estimate that holds whoever sets the pace.
            "cpu_cost_ratio": round(cost / guildhall_cost, 2) if cost and guildhall_cost else None,
        }
    return out


def load_check_lines(check: dict[str, Any]) -> list[str]:
    """One sentence per room size: whether the load outran the ceiling."""
    lines = []
    for size, c in check.items():
        cpu = f"load CPU {c['load_cpu']} vs ceiling server CPU {c['server_cpu']} (cores)"
        facts = (
            f"ceiling reach min {c['ceiling_reach_min']}, {c['ceiling_deliveries_per_s']:,.0f}"
            f" deliveries/s"
            if c["ceiling_deliveries_per_s"] is not None
            else "no ceiling run"
        )
        estimate = (
            " Per CPU second (server CPU µs per delivery, which does not depend on who set"
            f" the pace), Guildhall delivers {c['cpu_cost_ratio']}× what the ceiling does."
            if c.get("cpu_cost_ratio")
            else ""
        )
        head = f"**Load check, {size}-socket room:"
        if c["verdict"] == "outran":
            lines.append(
                f"{head} the load outran the ceiling** ({facts}, above every other server;"
                f" {cpu}): the saturation numbers are the servers', not the client's." + estimate
            )
        elif c["verdict"] == "inconclusive":
            lines.append(
                f"{head} inconclusive** ({facts}; {cpu}): neither process had most of a core"
                " (other work on the machine), so whether the client or the ceiling"
                " set the pace cannot be told; rerun on a quiet machine." + estimate
            )
        else:
            failed = [k for k, v in c.items() if isinstance(v, bool) and not v]
            lines.append(
                f"{head} the load did NOT outrun the ceiling** ({facts}; {cpu}; failed:"
                f" {', '.join(failed)}): the lean client, not the server, set the pace. The"
                " ceiling's deliveries/s is then the client's limit, not the ceiling's:"
                " Guildhall ÷ ceiling overstates Guildhall's share (an upper bound), and any"
                " server close to that number may be client-bound too." + estimate
            )
    return lines


def ratio_table(title: str, rows: dict[str, Any]) -> list[str]:
    """A Guildhall ÷ X table: the ratio of the medians and the per-round ratios."""
    if not rows:
        return []
    return [
        "",
        f"{title}: the ratio of the medians, and the ratios of each round's two runs (run"
        " next to each other) as median (min–max):",
        "",
        "| room | ratio of medians | per-round ratios |",
        "| --- | ---: | ---: |",
        *(
            f"| {k.split('@')[0]} | {v['ratio_of_medians']} | {show(v['per_round'])} |"
            for k, v in rows.items()
        ),
    ]


def method(report: dict[str, Any]) -> str:
    """How many runs a cell is made of, said where the numbers are."""
    repeat = report["repeat"]
    text = (
        f"Each phase ran {repeat}× on each server, interleaved (the servers' order rotating"
        " every round); every cell is the **median** of its runs, with (min–max, spread ="
        " (max − min) ÷ median)."
    )
    if repeat < 5:
        text += (
            f" **Quick run: {repeat} run(s) per phase, fewer than the 5 a number of record needs.**"
        )
    return text


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Fan-out benchmark",
        "",
        f"Run {report['started']} on {report['machine']['cpu']} ({report['machine']['cores']}"
        f" cores), Python {report['machine']['python']}. Servers pinned to core {SERVER_CORE},"
        f" load to core {LOAD_CORE}; 127.0.0.1 only. {report['duration_s']} s per phase,"
        " one sender, lean raw-WebSocket listeners (latency sampled on every 10th socket). "
        + method(report),
        "",
    ]
    check = load_check_lines(report.get("load_check") or {})
    if check:
        lines += [*check, ""]
    phases = list(dict.fromkeys((size, str(rate)) for size, rate in report["phases"]))
    sat = [(size, rate) for size, rate in phases if rate == "sat"]
    fixed = [(size, rate) for size, rate in phases if rate != "sat"]
    if sat:
        lines += [
            "## Saturation: throughput",
            "",
            "| server | room | deliveries/s | reach | p50 ms | p99 ms | sockets re-joined"
            " | load CPU | server CPU | server CPU µs per delivery |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, size, _, row in _cells(report, sat):
            lines.append(
                f"| {name} | {size} | {show(row['deliveries_per_s'], '{:,.0f}')} |"
                f" {show(row['reach'], '{:.4f}')} | {show(row['p50_ms'])} |"
                f" {show(row['p99_ms'])} | {row.get('reconnected_sockets', 0)} |"
                f" {show(row.get('load_cpu') or {})} | {show(row.get('server_cpu') or {})} |"
                f" {show(row.get('server_us_per_delivery') or {})} |"
            )
        lines.append("")
    if fixed:
        lines += [
            "## Fixed offered rates: reach and latency (not a throughput)",
            "",
            "| server | room | rate (msg/s) | reach | p50 ms | p99 ms | sockets re-joined |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, size, rate, row in _cells(report, fixed):
            lines.append(
                f"| {name} | {size} | {rate} | {show(row['reach'], '{:.4f}')} |"
                f" {show(row['p50_ms'])} | {show(row['p99_ms'])} |"
                f" {row.get('reconnected_sockets', 0)} |"
            )
        lines.append("")
    lines += [
        "Reach is received ÷ expected deliveries within the phase and its drain; below 1 the"
        " server could not keep up. *Sockets re-joined*: listeners an overloaded server had"
        " dropped before the phase (python-engineio's ping timeout while its loop lagged),"
        " summed over the runs. *Load CPU*, *server CPU*: the share of a core each process"
        " used during the phase; *server CPU µs per delivery*: the server's CPU time ÷"
        " deliveries, what a delivery costs it whether or not it set the pace.",
    ]
    lines += ratio_table(
        "Guildhall ÷ bare python-socketio, deliveries/s at saturation (goal ≥ 0.9)",
        report["ratios"],
    )
    lines += ratio_table(
        "Guildhall ÷ ceiling, deliveries/s at saturation (goal ≥ 0.8 in the 1000-socket room)",
        report.get("ceiling_ratios") or {},
    )
    measured = {name: res["memory"] for name, res in report["servers"].items() if "memory" in res}
    if measured:
        lines += [
            "",
            "Idle memory (RSS growth ÷ sockets, one measurement; goal < 50 KiB for Guildhall;"
            " bench/fanout/memory.py takes the median of fresh servers):",
            "",
            "| server | sockets | KiB per socket | connect time s |",
            "| --- | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {name} | {m['sockets']} | {m['kib_per_socket']} | {m['connect_seconds']} |"
            for name, m in measured.items()
        ]
    lines += [
        "",
        "Verification (lean clients vs stock python-socketio clients, 10 msg/s):",
        "",
        "| server | lean reach | stock reach | lean p50 ms | stock p50 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, res in report["servers"].items():
        v = res["verify"]
        lines.append(
            f"| {name} | {v['lean_reach']} | {v['stock_reach']} |"
            f" {v['lean_p50_ms']} | {v['stock_p50_ms']} |"
        )
    lines += ["", f"Versions: `{json.dumps(report['versions'])}`", ""]
    return "\n".join(lines)


def write_results(name: str, report: dict[str, Any], text: str) -> None:
    """``bench/results/<name>.json`` and ``.md``; the table goes to stdout too."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(text)
    print(text)


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def project_versions() -> dict[str, str]:
    code = (
        "import json, importlib.metadata as m;"
        "print(json.dumps({p: m.version(p) for p in"
        " ['python-socketio','python-engineio','uvicorn','websockets','orjson','uvloop']}))"
    )
    out = subprocess.run([str(PROJECT_PY), "-c", code], check=True, capture_output=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, 1000 idle sockets")
    parser.add_argument("--servers", default="guildhall,bare,flask,ceiling")
    parser.add_argument("--profile", action="store_true", help="cProfile the Guildhall server")
    parser.add_argument(
        "--repeat", type=int, help="runs of each phase, medians reported (default 5, quick 3)"
    )
    parser.add_argument(
        "--phases",
        # Saturation before the overload at 60 msg/s, whose backlog would linger.
        default="100:10,100:sat,100:60,1000:10,1000:sat,1000:60",
        help="room size:rate pairs to run, in order",
    )
    parser.add_argument("--skip-memory", action="store_true", help="no idle-memory phase")
    parser.add_argument(
        "--source", type=Path, help="run Guildhall from this checkout's src/ (a before/after)"
    )
    parser.add_argument("--name", default="fanout", help="results file name (bench/results/)")
    args = parser.parse_args()
    GuildhallServer.source = args.source
    if args.profile:
        GuildhallServer.profile = RESULTS / "tmp" / "guildhall.prof"
        GuildhallServer.profile.parent.mkdir(parents=True, exist_ok=True)
    args.duration = 3 if args.quick else 5
    args.drain = 5 if args.quick else 10
    args.idle_sockets = 1000 if args.quick else 5000
    args.repeat = args.repeat or (3 if args.quick else 5)
    args.phases = [(int(p.split(":")[0]), p.split(":")[1]) for p in args.phases.split(",")]
    kinds = {
        "guildhall": GuildhallServer,
        "bare": BareServer,
        "flask": FlaskServer,
        "ceiling": CeilingServer,
    }
    wanted = [kinds[k.strip()] for k in args.servers.split(",") if k.strip()]
    versions = {"project": project_versions()}
    if FlaskServer in wanted:
        versions["baseline"] = ensure_baseline_venv()
    report: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {
            "cpu": cpu_name(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
        },
        "duration_s": args.duration,
        "repeat": args.repeat,
        "phases": args.phases,
        "versions": versions,
        "servers": {},
    }
    servers = [kind() for kind in wanted]
    try:
        for server in servers:
            report["servers"][server.name] = prepare(server, args)
        fan_out(servers, report["servers"], args)
        for server in servers:
            assert server.proc is not None
            report["servers"][server.name]["rss_end_kib"] = rss_kib(server.proc.pid)
    finally:
        for server in servers:
            server.stop()
    report["ratios"] = ratios(report["servers"])
    report["ceiling_ratios"] = ratios(report["servers"], CeilingServer.name)
    report["load_check"] = load_check(report["servers"])
    report["source"] = str(args.source or ROOT)
    write_results(args.name, report, markdown(report))


if __name__ == "__main__":
    main()
