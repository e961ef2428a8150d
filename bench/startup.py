"""Time from starting ``guildhall serve`` to its first answer on ``/healthz``.

Each run starts the server on a free port with a fresh SQLite data directory (as
the e2e tests do: the schema is migrated from nothing), polls ``/healthz`` every
20 ms, and records the wall time to the first 200 and the CPU time (user + system)
the server process had spent by then. Prints median (min-max) of both.

    .venv/bin/python bench/startup.py [--runs 5] [--guildhall .venv/bin/guildhall]

docs/decisions/startup.md has the numbers and how the "before" was measured.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def one_start(guildhall: str) -> tuple[float, float]:
    """(wall seconds, server CPU seconds) until the first 200 on /healthz."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUILDHALL_")}
    env["GUILDHALL_DATA_DIR"] = tempfile.mkdtemp(prefix="guildhall-startup-")
    port = _free_port()
    began = time.monotonic()
    proc = subprocess.Popen(
        [guildhall, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as r:
                    if r.status == 200:
                        return time.monotonic() - began, _cpu_seconds(proc.pid)
            except OSError:  # not listening yet
                time.sleep(0.02)
    finally:
        proc.terminate()
        proc.wait(10)


def _summary(values: list[float]) -> str:
    listed = ", ".join(f"{v:.2f}" for v in values)
    spread = f"{min(values):.2f}-{max(values):.2f}"
    return f"median {statistics.median(values):.2f} ({spread}) [{listed}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--guildhall", default=str(ROOT / ".venv" / "bin" / "guildhall"))
    args = parser.parse_args()
    walls, cpus = zip(*(one_start(args.guildhall) for _ in range(args.runs)), strict=True)
    print(f"wall s to first /healthz: {_summary(list(walls))}")
    print(f"server CPU s by then:     {_summary(list(cpus))}")


if __name__ == "__main__":
    main()
