"""Wheel build hook: the wheel carries the built web client.

``pip install .`` (or any wheel build) builds the client with npm when
``src/guildhall/static/`` has none, so an installed server never shows the
placeholder page. Without npm the wheel is built without it and says so loudly;
the server then logs the same at start-up.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class WebClientHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install serves whatever `make build` wrote
        root = Path(self.root)
        if (root / "src" / "guildhall" / "static" / "index.html").exists():
            return
        web = root / "web"
        if not (web / "package.json").exists() or shutil.which("npm") is None:
            self.app.display_warning(
                "WEB CLIENT NOT BUILT: npm is not installed; this wheel serves a placeholder "
                "page at / (build it with `make build` and package again)"
            )
            return
        for cmd in (["npm", "ci", "--no-audit", "--no-fund"], ["npm", "run", "build"]):
            subprocess.run(cmd, cwd=web, check=True)
