"""Minimum versions past known advisories (DESIGN.md), in pyproject.toml and in the
lock. ``make audit`` checks the lock against PyPI's advisory data when reachable."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

# One engine: reads pyproject.toml and uv.lock.
pytestmark = pytest.mark.one_engine

ROOT = Path(__file__).resolve().parents[2]
# DESIGN.md, "Pin minimum versions past known advisories".
FLOORS = {
    "python-socketio": "5.16.4",
    "python-engineio": "4.13.3",
    "starlette": "1.3.1",
    "python-multipart": "0.0.27",
    "pillow": "13.0.0",
}


def declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = (Requirement(r) for r in project["dependencies"])
    return {r.name.lower(): r for r in reqs}


def locked() -> dict[str, Version]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {p["name"].lower(): Version(p["version"]) for p in lock["package"] if "version" in p}


@pytest.mark.parametrize("name,floor", sorted(FLOORS.items()))
class TestAdvisoryFloors:
    def test_pyproject_requires_at_least_the_floor(self, name, floor):
        req = declared().get(name)
        assert req is not None, f"{name} is not a declared dependency"
        assert req.specifier, f"{name} has no minimum version"
        # Every version the specifier allows must be at or above the floor: the
        # floor's predecessor and the floor itself tell.
        assert not req.specifier.contains(_just_below(floor))
        lower_bounds = [Version(s.version) for s in req.specifier if s.operator in (">=", "==")]
        assert lower_bounds and max(lower_bounds) >= Version(floor), str(req.specifier)

    def test_the_lock_is_at_least_the_floor(self, name, floor):
        version = locked().get(name)
        assert version is not None, f"{name} is not in uv.lock"
        assert version >= Version(floor)


def _just_below(floor: str) -> Version:
    v = Version(floor)
    major, minor, micro = [*v.release, 0, 0][:3]
    if micro:
        return Version(f"{major}.{minor}.{micro - 1}")
    if minor:
        return Version(f"{major}.{minor - 1}.999")
    return Version(f"{major - 1}.999.999")
