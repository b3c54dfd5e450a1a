"""CLI fixtures: `evaltui` run as a real subprocess (the console script of this venv)."""

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
    """Run `evaltui ARGS` with its database and config in tmp_path; returns the finished process."""
    env = {**os.environ, "EVALTUI_DB": str(tmp_path / "cli.db"), "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml")}

    def run(*args: str, timeout: float = 120, extra_env: dict[str, str] | None = None):
        return subprocess.run(
            [EVALTUI, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env | (extra_env or {}),
            cwd=tmp_path,
        )

    return run


@pytest.fixture
def api_suite(tmp_path: Path) -> Callable[..., Path]:
    """Write a suite of `n` cases for the fake API ("Q: case-i" answered "CASE-I") whose model reads
    its key from $CRASH_KEY."""

    def write(base_url: str, n: int = 100) -> Path:
        import json

        lines = "".join(
            json.dumps({"id": f"c{i}", "input": f"case-{i}", "expected": f"CASE-{i}"}) + "\n"
            for i in range(n)
        )
        (tmp_path / "cases.jsonl").write_text(lines)
        path = tmp_path / "api.yaml"
        path.write_text(
            "name: api-suite\nprompt: 'Q: {{ input }}'\nmodels:\n  - id: fake\n    provider: openai\n"
            f"    model: fake\n    base_url: {base_url}\n    api_key_env: CRASH_KEY\n"
            "scorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
        )
        return path

    return write
