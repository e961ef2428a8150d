"""The benchmarks' statistics (``bench/stats.py``) on inputs whose answers are
known, and the fan-out report built from them: medians of runs with their
spread, throughput ratios at saturation only, per-message differences, and a
growth rate from a least-squares slope."""

from __future__ import annotations

import math
from typing import Any

import pytest
from bench.fanout import run as fanout
from bench.soak import __main__ as soak
from bench.stats import median, paired_differences, percentile, show, slope, spread

pytestmark = pytest.mark.one_engine


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([5, 1, 4, 2, 3], 0.5) == 3
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([0, 10], 0.99) == pytest.approx(9.9)
    assert percentile(range(101), 0.99) == 99
    assert percentile([7], 0.99) == 7
    assert percentile([3, 1, 2], 0) == 1 and percentile([3, 1, 2], 1) == 3
    assert percentile([], 0.5) is None
    with pytest.raises(ValueError):
        percentile([1], 99)


def test_median_of_even_and_odd_counts() -> None:
    assert median([9, 1, 5]) == 5
    assert median([4, 1, 3, 2]) == 2.5
    assert median([]) is None


def test_spread_is_the_median_with_min_max_not_the_best_run() -> None:
    cell = spread([100, 130, 90, 110, 120])
    assert cell == {"runs": 5, "median": 110, "min": 90, "max": 130, "spread_pct": 36.4}
    # A run that measured nothing is counted as missing, not as a zero.
    assert spread([10, None, 20]) == {
        "runs": 2,
        "missing": 1,
        "median": 15,
        "min": 10,
        "max": 20,
        "spread_pct": 66.7,
    }
    assert spread([])["median"] is None
    assert spread([0, 0])["spread_pct"] is None  # no % of a zero median


def test_show_prints_median_range_and_spread() -> None:
    assert show(spread([14000, 15034, 16000]), "{:,.0f}") == "15,034 (14,000–16,000, 13.3 %)"
    assert show(spread([8.5])) == "8.5"
    assert show(spread([])) == "–"


def test_slope_is_least_squares() -> None:
    assert slope([(0, 1), (1, 3), (2, 5)]) == pytest.approx(2)
    # Noise around a line: the fit finds the line, where end - start would not.
    points = [(t, 100 + 0.5 * t + (3 if t % 2 else -3)) for t in range(100)]
    assert slope(points) == pytest.approx(0.5, abs=0.01)
    assert slope([(1, 1)]) is None
    assert slope([(1, 1), (1, 2)]) is None


def test_paired_differences_subtract_the_same_message() -> None:
    local = [(1, 10.0), (2, 20.0), (3, 30.0), (2, 22.0)]
    remote = [(2, 25.0), (1, 11.0), (4, 99.0)]
    # Message 1: 11 - 10; message 2: 25 - median(20, 22); 3 and 4 are on one side only.
    assert paired_differences(local, remote) == [1.0, 4.0]
    # A percentile of the differences is not the difference of the percentiles:
    # every message but one is 1 ms later at the remote socket; message 0 was
    # late at the local one only. The per-message median says +1 ms, the p99s'
    # difference says about -40 ms.
    local = [(i, 100.0 if i == 0 else 10.0) for i in range(50)]
    remote = [(i, 20.0 if i == 0 else v + 1) for i, v in local]
    hops = paired_differences(local, remote)
    assert len(hops) == 50 and percentile(hops, 0.5) == 1
    assert percentile(hops, 0.99) == 1
    local_p99 = percentile([v for _, v in local], 0.99)
    remote_p99 = percentile([v for _, v in remote], 0.99)
    assert local_p99 is not None and remote_p99 is not None
    assert remote_p99 - local_p99 == pytest.approx(-40.31)


def sample(size: int, rate: Any, rnd: int, per_s: float, **extra: Any) -> dict[str, Any]:
    return {
        "room_size": size,
        "rate": rate,
        "round": rnd,
        "deliveries_per_s": per_s,
        "reach": 1.0,
        "p50_ms": 5.0 + rnd,
        "p99_ms": 9.0,
        "reconnected_sockets": 1,
        **extra,
    }


def test_fanout_cells_are_medians_and_lists_are_pooled() -> None:
    samples = [sample(100, "sat", r, v) for r, v in enumerate([90, 100, 300, 110, 95])]
    samples += [sample(100, 10, r, 1000, hop_ms=[r, r + 0.5]) for r in range(5)]
    sat, fixed = fanout.cells(samples, [(100, "sat"), (100, "10")])
    assert sat["runs"] == 5 and sat["rate"] == "sat"
    assert sat["deliveries_per_s"]["median"] == 100  # not the best run, 300
    assert (sat["deliveries_per_s"]["min"], sat["deliveries_per_s"]["max"]) == (90, 300)
    assert sat["p50_ms"]["median"] == 7
    assert sat["reconnected_sockets"] == 5
    assert "round" not in sat
    assert fixed["rate"] == 10
    assert fixed["hop_ms"] == [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]


def fanout_report(repeat: int) -> dict[str, Any]:
    phases = [(100, "10"), (100, "sat")]
    servers = {}
    for name, sat_rates in (
        ("guildhall", [90, 100, 110, 95, 105]),
        ("bare-python-socketio", [100, 100, 100, 100, 250]),
    ):
        samples = [sample(100, "sat", r, v) for r, v in enumerate(sat_rates[:repeat])]
        # At a fixed rate the deliveries/s differ by the latency tail only.
        samples += [sample(100, 10, r, 900 if name == "guildhall" else 1000) for r in range(repeat)]
        servers[name] = {
            "samples": samples,
            "fanout": fanout.cells(samples, phases),
            "verify": {"lean_reach": 1, "stock_reach": 1, "lean_p50_ms": 5, "stock_p50_ms": 5},
        }
    report = {
        "started": "now",
        "machine": {"cpu": "cpu", "cores": 2, "python": "3.11"},
        "duration_s": 5,
        "repeat": repeat,
        "phases": phases,
        "versions": {},
        "servers": servers,
    }
    report["ratios"] = fanout.ratios(servers)
    return report


def test_fanout_ratio_only_at_saturation_and_from_medians() -> None:
    report = fanout_report(5)
    assert list(report["ratios"]) == ["100@sat"]
    ratio = report["ratios"]["100@sat"]
    assert ratio["ratio_of_medians"] == 1.0  # 100 / 100; the bare run at 250 is one of five
    # Each round's pair: 0.9, 1.0, 1.1, 0.95, 0.42.
    assert ratio["per_round"]["median"] == 0.95
    assert (ratio["per_round"]["min"], ratio["per_round"]["max"]) == (0.42, 1.1)
    text = fanout.markdown(report)
    assert "| 100 | 1.0 | 0.95 (0.42–1.1, 71.6 %) |" in text
    fixed_table = text.split("## Fixed offered rates")[1].split("Reach is")[0]
    assert "deliveries/s" not in fixed_table and "900" not in fixed_table
    assert "Quick run" not in text
    assert "Idle memory" not in text  # --skip-memory: no empty table


def test_fanout_report_labels_a_quick_run() -> None:
    text = fanout.markdown(fanout_report(3))
    assert "**Quick run: 3 run(s) per phase" in text


def test_soak_judges_the_growth_rate_after_the_warm_up() -> None:
    # Fast growth in the first 60 s (warm-up), then 1 MB per 10 minutes on ~100 MB:
    # 6 MB an hour, about 6 %/hour, over the 5 %/hour goal.
    samples = [(float(t), 80 + t / 3 if t < 60 else 100 + (t - 60) / 600) for t in range(600)]
    g = soak.rss_growth(samples, warmup_s=60)
    assert g["samples"] == 540 and g["fitted_from_s"] == 60
    assert g["kib_per_min"] == pytest.approx(1024 / 10, abs=0.1)
    assert g["pct_per_hour"] == pytest.approx(100 * 6 / g["mean_mb"], abs=0.01)
    assert g["meets_goal"] is False  # ~6 %/hour
    assert g["late_half_kib_per_min"] == pytest.approx(102.4, abs=0.1)
    flat = soak.rss_growth([(float(t), 150.0 + math.sin(t)) for t in range(600)], 120)
    assert abs(flat["pct_per_hour"]) < 1 and flat["meets_goal"] is True
    assert soak.rss_growth(samples[:10], warmup_s=60)["pct_per_hour"] is None


def test_fanout_ceiling_ratio_and_load_check() -> None:
    report = fanout_report(3)
    servers = report["servers"]
    phases = report["phases"]
    for name, load_cpu, server_cpu, cost in (
        ("guildhall", 0.8, 1.0, 10.0),
        ("ceiling", 0.99, 0.7, 3.0),
    ):
        extra = {"load_cpu": load_cpu, "server_cpu": server_cpu, "server_us_per_delivery": cost}
        runs = [sample(100, "sat", r, v, **extra) for r, v in enumerate([200, 190, 220])]
        if name == "ceiling":
            servers[name] = {"samples": runs, "verify": servers["guildhall"]["verify"]}
        else:
            servers[name]["samples"] = [s for s in servers[name]["samples"] if s["rate"] != "sat"]
            servers[name]["samples"] += [{**s, "deliveries_per_s": 100} for s in runs]
        servers[name]["fanout"] = fanout.cells(servers[name]["samples"], phases)
    report["ceiling_ratios"] = fanout.ratios(servers, "ceiling")
    assert report["ceiling_ratios"]["100@sat"]["ratio_of_medians"] == 0.5  # 100 / 200
    # The ceiling out-delivered everyone and reached every socket, but the load
    # was busier than the ceiling server: the client set the pace.
    check = fanout.load_check(servers)["100"]
    assert check["reach_stayed_1"] and check["above_every_server"]
    assert not check["load_less_busy"] and check["verdict"] == "not outran"
    assert check["cpu_cost_ratio"] == 0.3  # 3 µs a delivery against Guildhall's 10
    report["load_check"] = fanout.load_check(servers)
    text = fanout.markdown(report)
    assert "the load did NOT outrun the ceiling" in text
    assert "Guildhall delivers 0.3× what the ceiling does" in text
    assert "Guildhall ÷ ceiling, deliveries/s at saturation (goal ≥ 0.8" in text
    assert "| 100 | 0.5 | 0.5 (0.45–0.53, 14.4 %) |" in text
    assert "| ceiling | 100 | 200 (190–220, 15 %) |" in text

    def verdict(load_cpu: float, server_cpu: float) -> str:
        for s in servers["ceiling"]["samples"]:
            s["load_cpu"], s["server_cpu"] = load_cpu, server_cpu
        servers["ceiling"]["fanout"] = fanout.cells(servers["ceiling"]["samples"], phases)
        return str(fanout.load_check(servers)["100"]["verdict"])

    assert verdict(0.6, 0.98) == "outran"  # the server flat out, the load with time to spare
    assert verdict(0.85, 0.7) == "not outran"  # the load most of a core, the server less
    # Both starved by other work: who set the pace cannot be told.
    assert verdict(0.3, 0.4) == "inconclusive"
    report["load_check"] = fanout.load_check(servers)
    assert "inconclusive" in fanout.markdown(report)
