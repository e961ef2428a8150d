"""The wheel is whole: it carries the built web client (hatch_build.py builds it
when npm is there), so an installed server never shows the placeholder page."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import unavailable

pytestmark = pytest.mark.one_engine

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_the_web_client(tmp_path: Path) -> None:
    uv = ROOT / ".tools" / "bin" / "uv"
    if not uv.exists() or shutil.which("npm") is None:
        unavailable("building the wheel needs uv (make) and npm")
    done = subprocess.run(
        [str(uv), "build", "--wheel", "-o", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = tmp_path.glob("guildhall-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "guildhall/static/index.html" in names
    assert any(n.startswith("guildhall/static/assets/") and n.endswith(".js") for n in names)
