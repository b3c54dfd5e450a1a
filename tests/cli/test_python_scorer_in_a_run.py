"""`evaltui run` with a python scorer that never returns or raises SystemExit: each case is an
error with the reason, the run is stored, and evaltui exits on its own with its usual code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from tests.cli.conftest import EVALTUI

Cli = Callable[..., CompletedProcess[str]]
CHECKS = """
import os, pathlib

def hangs(output, expected, case):
    if "SCORER_STARTED" in os.environ:
        pathlib.Path(os.environ["SCORER_STARTED"]).touch()
    while True:
        pass

def exits(output, expected, case):
    raise SystemExit(3)
"""


@pytest.fixture
def suite_with(tmp_path: Path) -> Callable[[str], str]:
    def write(function: str, timeout_s: float = 1) -> str:
        (tmp_path / "checks.py").write_text(CHECKS)
        path = tmp_path / f"{function}.yaml"
        path.write_text(
            f"name: {function}\nprompt: 'Say {{{{ input }}}}'\nscorers:\n  - type: python\n"
            f"    function: checks.py:{function}\n    timeout_s: {timeout_s}\n"
            "cases:\n  - {id: a, input: one}\n  - {id: b, input: two}\n"
        )
        return str(path)

    return write


@pytest.mark.parametrize(
    ("function", "reason"), [("hangs", "did not return within 1 s"), ("exits", "SystemExit: 3")]
)
def test_a_python_scorer_that_hangs_or_exits_makes_errors_and_evaltui_finishes(
    cli: Cli, suite_with: Callable[[str], str], function: str, reason: str
) -> None:
    done = cli("run", suite_with(function), "-m", "demo:keyword", "-q", "--json", "-", timeout=60)
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)[0]["run"]
    assert (run["status"], run["passed"], run["failed"], run["errors"]) == ("completed", 0, 0, 2)
    shown = cli("show", "--json", "latest")
    assert shown.stdout.count(reason) >= 2


def test_ctrl_c_while_a_python_scorer_hangs_exits_130(suite_with: Callable[..., str], tmp_path: Path) -> None:
    """The stuck scorer runs in a daemon thread: evaltui does not wait for it to exit."""
    started = tmp_path / "scorer-started"
    env = {**os.environ, "SCORER_STARTED": str(started), "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml")}
    command = [EVALTUI, "run", suite_with("hangs", timeout_s=600), "-m", "demo:keyword", "-q"]
    proc = subprocess.Popen([*command, "--db", str(tmp_path / "r.db")], env=env, cwd=tmp_path)
    try:
        for _ in range(600):  # until the scorer is running (or evaltui ended early)
            if started.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert started.exists(), "the scorer never started"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
    finally:
        proc.kill()
