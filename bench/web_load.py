"""Signed-in first load of the web client on a slow phone (issue 17, Performance).

Not a test. Starts a real ``guildhall serve`` (SQLite, temporary data directory,
the built client in ``src/guildhall/static``), seeds a user with a guild of
CHANNELS text channels and MESSAGES messages in the first one, then opens
``/channels/<guild>/<channel>`` signed in, RUNS times, each in a fresh browser
context (empty cache, the session cookie set), with

* CPU: ``Emulation.setCPUThrottlingRate`` 4x;
* network: ``Network.emulateNetworkConditions`` with Lighthouse's "slow 4G"
  (150 ms round trip, 1.6 Mbps down, 750 kbps up).

"Messages usable" is the time from navigation start until the newest seeded
message is in the message list and the composer's textbox is there (recorded in
the page by a MutationObserver, so polling adds nothing). Also recorded: the REST
calls made before that moment, in order, with the round they belong to (a call
starts a new round when it starts after an earlier call ended), and any path
requested twice.

With ``--baseline DIR`` another tree (an older commit exported with ``git
archive``, its client built) is served and measured as well, its runs taking turns
with this tree's, so a busy machine weighs on both alike.

Writes ``bench/results/web_load.json`` and ``bench/results/web_load.md``.

    .venv/bin/python bench/web_load.py [--runs 7] [--baseline /tmp/old]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import ServerProcess, register, server_env  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CHROMIUM = "/usr/bin/chromium"
CHANNELS = 8
MESSAGES = 300
MARKER = "newest seeded message"
# Lighthouse's mobile "slow 4G": 150 ms RTT, 1.6 Mbps down, 750 kbps up (bytes/s).
NETWORK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
CPU_SLOWDOWN = 4

# Runs before any page script: stamps the moment the newest message and the composer
# are both in the DOM.
PROBE = """
(() => {
  const done = () => {
    if (window.__usable) return true;
    const rows = [...document.querySelectorAll('[data-testid="content"]')];
    if (rows.some((r) => r.textContent.includes(MARKER))
        && document.querySelector('.composer textarea')) {
      window.__usable = performance.now();
      return true;
    }
    return false;
  };
  new MutationObserver((_, obs) => { if (done()) obs.disconnect(); })
    .observe(document, { childList: true, subtree: true, characterData: true });
})();
""".replace("MARKER", json.dumps(MARKER))


def seed(base: str) -> tuple[str, int, int]:
    """A user, a guild with CHANNELS channels, MESSAGES messages in the first."""
    s = register(base, "reader")
    guild = s.post(f"{base}/api/guilds", json={"name": "Bench"}).json()
    channels = s.get(f"{base}/api/guilds/{guild['id']}/channels").json()
    for i in range(CHANNELS - len([c for c in channels if c["type"] == "text"])):
        r = s.post(
            f"{base}/api/guilds/{guild['id']}/channels", json={"name": f"room-{i}", "type": "text"}
        )
        r.raise_for_status()
    channels = s.get(f"{base}/api/guilds/{guild['id']}/channels").json()
    first = sorted(
        (c for c in channels if c["type"] == "text"), key=lambda c: (c["position"], c["id"])
    )[0]
    for i in range(MESSAGES):
        text = MARKER if i == MESSAGES - 1 else f"message {i}: some **history** to read, with words"
        s.post(
            f"{base}/api/channels/{first['id']}/messages", json={"content": text}
        ).raise_for_status()
    return f"/channels/{guild['id']}/{first['id']}", guild["id"], first["id"]


def one_run(browser: Any, base: str, path: str) -> dict[str, Any]:
    ctx = browser.new_context(base_url=base, bypass_csp=True)
    try:
        r = ctx.request.post(
            f"{base}/api/login", data={"username": "reader", "password": "correct horse battery"}
        )
        assert r.ok, r.text()
        page = ctx.new_page()
        page.add_init_script(PROBE)
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        calls: list[dict[str, Any]] = []
        loads: list[dict[str, Any]] = []
        page.on(
            "requestfinished",
            lambda req: (calls if "/api/" in req.url else loads).append(
                {
                    "path": req.url.removeprefix(base),
                    "start": req.timing["startTime"],
                    "end": req.timing["startTime"] + req.timing["responseEnd"],
                }
            ),
        )
        page.goto(base + path, wait_until="commit")
        page.wait_for_function("window.__usable", timeout=60_000, polling=100)
        usable = page.evaluate("window.__usable")
        origin = page.evaluate("performance.timeOrigin")
        page.wait_for_timeout(0)
    finally:
        ctx.close()
    for c in calls + loads:
        c["start"] = round(c["start"] - origin, 1) if c["start"] > 1e12 else round(c["start"], 1)
        c["end"] = round(c["end"] - origin, 1) if c["end"] > 1e12 else round(c["end"], 1)
    before = sorted((c for c in calls if c["start"] <= usable), key=lambda c: c["start"])
    rounds, ended = 0, -1.0
    for c in before:
        if c["start"] >= ended:
            rounds += 1
        c["round"] = rounds
        ended = max(ended, c["end"]) if c["start"] >= ended else ended
    paths = [c["path"] for c in calls]
    return {
        "usable_ms": round(usable, 1),
        "calls_before_usable": before,
        "rounds_before_usable": rounds,
        "duplicates": sorted({p for p in paths if paths.count(p) > 1}),
        "other_requests": sorted(loads, key=lambda c: c["start"]),
    }


def summary(label: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    times = sorted(r["usable_ms"] for r in runs)
    median_run = sorted(runs, key=lambda r: r["usable_ms"])[len(runs) // 2]
    return {
        "label": label,
        "runs": len(runs),
        "usable_ms": {
            "median": statistics.median(times),
            "min": times[0],
            "max": times[-1],
            "all": times,
        },
        "median_run": median_run,
        "all_runs": runs,
    }


def report(s: dict[str, Any]) -> list[str]:
    t, m = s["usable_ms"], s["median_run"]
    calls = m["calls_before_usable"]
    return [
        f"## {s['label']}",
        "",
        f"Messages usable: median **{t['median']:.0f} ms** over {s['runs']} runs"
        f" (min {t['min']:.0f}, max {t['max']:.0f}).",
        "",
        f"REST calls before messages were usable (median run): {len(calls)} in"
        f" {m['rounds_before_usable']} round(s); paths requested twice during the load:"
        f" {', '.join(f'`{p}`' for p in m['duplicates']) or 'none'}.",
        "",
        "| round | call | start ms | end ms |",
        "| --- | --- | --- | --- |",
        *[f"| {c['round']} | `{c['path']}` | {c['start']:.0f} | {c['end']:.0f} |" for c in calls],
        "",
    ]


def start_server(tree: Path, data: Path) -> ServerProcess:
    """``guildhall serve`` running the code and built client of ``tree``."""
    env = server_env(data)
    if tree != ROOT:
        env["PYTHONPATH"] = str(tree / "src")
    return ServerProcess(data, env).start(timeout=300)  # a busy machine starts slowly


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--label", default="this tree")
    ap.add_argument(
        "--baseline",
        type=Path,
        help="another tree (e.g. `git archive <rev> src/guildhall web`, client built) measured"
        " too, its runs interleaved with this tree's so both see the same machine load",
    )
    args = ap.parse_args()
    trees = [(args.label, ROOT)]
    if args.baseline:
        trees.insert(0, (f"baseline ({args.baseline})", args.baseline.resolve()))
    for _, tree in trees:
        if not (tree / "src" / "guildhall" / "static" / "index.html").exists():
            sys.exit(f"build the client first in {tree}/web: npm ci && npm run build")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        servers = [start_server(tree, Path(tmp) / f"data{i}") for i, (_, tree) in enumerate(trees)]
        try:
            paths = [seed(srv.url)[0] for srv in servers]
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                for srv, path in zip(servers, paths, strict=True):
                    one_run(browser, srv.url, path)  # warm the server, not the browser
                runs: list[list[dict[str, Any]]] = [[] for _ in trees]
                for _ in range(args.runs):
                    for i, (srv, path) in enumerate(zip(servers, paths, strict=True)):
                        runs[i].append(one_run(browser, srv.url, path))
                browser.close()
        finally:
            for srv in servers:
                srv.stop()
    out = {
        "machine": f"{platform.machine()} {platform.system()}, load average at the end"
        f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        "network": NETWORK,
        "cpu_slowdown": CPU_SLOWDOWN,
        "channels": CHANNELS,
        "messages": MESSAGES,
        "results": [summary(label, r) for (label, _), r in zip(trees, runs, strict=True)],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "web_load.json").write_text(json.dumps(out, indent=2) + "\n")
    lines = [
        "# Web client: signed-in first load",
        "",
        f"Chromium, CPU {CPU_SLOWDOWN}x slower, slow 4G (150 ms RTT, 1.6 Mbps down, 750 kbps up),"
        f" empty cache; a guild of {CHANNELS} channels, {MESSAGES} messages in the one opened."
        f" Machine: {out['machine']}.",
        "",
        *[line for r in out["results"] for line in report(r)],
        "`.venv/bin/python bench/web_load.py --runs 7 [--baseline DIR]`",
    ]
    (RESULTS / "web_load.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
