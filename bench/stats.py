"""The statistics every benchmark reports with, in one place (tested by
``tests/benchmarks/test_stats.py``).

* ``percentile``: linear interpolation between the two nearest ranks (numpy's
  default; ``percentile(v, 0.5)`` is the median).
* ``spread``: the median of repeated runs with their min, max and spread
  (``(max - min) / median``, in %): a number of record is a median of several
  runs shown with how far apart they were, never the best one.
* ``paired_differences``: per-message ``b - a`` for the messages seen on both
  sides (e.g. the Redis hop: a message's latency at another node's socket minus
  its latency at a socket on the sender's node), so that a percentile is taken
  of differences, not a difference of two percentiles.
* ``slope``: least-squares slope of ``y`` over ``x`` (e.g. RSS over time: a
  growth rate, where an end-minus-start difference sees one noisy pair).

Pure functions of lists, no dependencies: the benchmarks run them in their own
processes (``bench/fanout/load.py`` too), and the tests run them in CI.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import Any


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-quantile (0 ≤ q ≤ 1) of ``values``; ``None`` when there are none."""
    if not 0 <= q <= 1:
        raise ValueError(f"q must be within [0, 1], not {q}")
    ordered = sorted(values)
    if not ordered:
        return None
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 0.5)


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def spread(values: Iterable[float | None], digits: int = 2) -> dict[str, Any]:
    """Median, min, max and spread % of repeated runs (``None`` runs are left out
    and counted: a run that measured nothing is not a zero)."""
    given = list(values)
    present = [v for v in given if v is not None]
    out: dict[str, Any] = {"runs": len(present)}
    if len(present) != len(given):
        out["missing"] = len(given) - len(present)
    if not present:
        return {**out, "median": None, "min": None, "max": None, "spread_pct": None}
    mid = median(present)
    assert mid is not None
    lo, hi = min(present), max(present)
    return {
        **out,
        "median": round(mid, digits),
        "min": round(lo, digits),
        "max": round(hi, digits),
        "spread_pct": round(100 * (hi - lo) / abs(mid), 1) if mid else None,
    }


def show(cell: dict[str, Any], fmt: str = "{:,}") -> str:
    """``median (min–max, ±spread %)`` for a table; the median alone for one run."""
    if cell.get("median") is None:
        return "–"
    text = fmt.format(cell["median"])
    if cell["runs"] > 1:
        text += f" ({fmt.format(cell['min'])}–{fmt.format(cell['max'])}"
        if cell.get("spread_pct") is not None:
            text += f", {cell['spread_pct']:g} %"
        text += ")"
    return text


def paired_differences(
    a: Iterable[tuple[Hashable, float]], b: Iterable[tuple[Hashable, float]]
) -> list[float]:
    """``b - a`` per key present on both sides, in key order of first appearance
    in ``a``. A key seen several times on one side (several sampled sockets got
    the same message) counts by its median there."""

    def by_key(pairs: Iterable[tuple[Hashable, float]]) -> dict[Hashable, list[float]]:
        grouped: dict[Hashable, list[float]] = defaultdict(list)
        for key, value in pairs:
            grouped[key].append(value)
        return grouped

    left, right = by_key(a), by_key(b)
    out = []
    for key, values in left.items():
        if key in right:
            lv, rv = median(values), median(right[key])
            assert lv is not None and rv is not None
            out.append(rv - lv)
    return out


def slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of ``y`` over ``x`` for ``(x, y)`` points; ``None`` with
    fewer than two distinct ``x``."""
    n = len(points)
    if n < 2:
        return None
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in points) / sxx
