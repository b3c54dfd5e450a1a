"""Report fixtures: the `evaltui` CLI as a subprocess, in a tmp folder with its own config."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

EVALTUI = str(Path(sys.executable).with_name("evaltui"))


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    env = {**os.environ, "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml"), "EVALTUI_DB": str(tmp_path / "x.db")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EVALTUI, *args], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path
        )

    return run
