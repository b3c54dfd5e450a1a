"""Compare fixtures: a real store in a tmp dir, and the `evaltui` CLI as a subprocess on it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from evaltui.store import Store

EVALTUI = str(Path(sys.executable).with_name("evaltui"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cmp.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    with Store(db) as s:
        yield s


@pytest.fixture
def cli(tmp_path: Path, db: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    env = {
        **os.environ,
        "EVALTUI_DB": str(db),
        "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml"),
        "COLUMNS": "200",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EVALTUI, *args], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path
        )

    return run
