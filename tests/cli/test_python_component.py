"""`evaltui run` with a Python component (`provider: python`) that never returns or prints: the case
times out as an error, evaltui exits when the run ends and on SIGTERM or SIGINT, and what the
component prints never reaches evaltui's own stdout (`--json -`, `--events -`)."""

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

COMPONENTS = """
import os, pathlib, sys, threading

def hangs(messages, vars):
    if "COMPONENT_STARTED" in os.environ:
        pathlib.Path(os.environ["COMPONENT_STARTED"]).touch()
    threading.Event().wait()

def chatty(messages, vars):
    print("COMPONENT-SAYS hello from the model")
    sys.stdout.write("{not json\\n")
    return vars["input"]

async def chatty_async(messages, vars):
    print("COMPONENT-SAYS from a coroutine")
    return vars["input"]
"""


@pytest.fixture
def suite_with(tmp_path: Path) -> Callable[..., str]:
    (tmp_path / "evaltui_components.py").write_text(COMPONENTS)

    def write(function: str, timeout_s: float = 1) -> str:
        path = tmp_path / f"{function}.yaml"
        path.write_text(
            f"name: {function}\nmodels:\n  - provider: python\n    model: evaltui_components:{function}\n"
            f"    timeout_s: {timeout_s}\n    max_retries: 0\nscorers: [equals]\n"
            "cases:\n  - {id: a, input: one, expected: one}\n  - {id: b, input: two, expected: two}\n"
        )
        return str(path)

    return write


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml"),
        "EVALTUI_DB": str(tmp_path / "r.db"),
        **extra,
    }


def run_to_the_end(*args: str, tmp_path: Path) -> CompletedProcess[str]:
    """`evaltui run ARGS -q`; a process still alive after a minute fails the test (and is killed)."""
    command = [EVALTUI, "run", *args, "-q"]
    return subprocess.run(
        command, capture_output=True, text=True, env=env_for(tmp_path), cwd=tmp_path, timeout=60
    )


def test_a_component_that_never_returns_times_out_and_evaltui_exits(
    suite_with: Callable[..., str], tmp_path: Path
) -> None:
    done = run_to_the_end(suite_with("hangs"), "--json", "-", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)[0]["run"]
    assert (run["status"], run["errors"]) == ("completed", 2)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stuck_component_does_not_keep_evaltui_alive_after_a_signal(
    suite_with: Callable[..., str], tmp_path: Path, signum: int
) -> None:
    started = tmp_path / "component-started"
    proc = subprocess.Popen(
        [EVALTUI, "run", suite_with("hangs", timeout_s=600), "-q"],
        env=env_for(tmp_path, COMPONENT_STARTED=str(started)),
        cwd=tmp_path,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):
            if started.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert started.exists(), "the component never started"
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == 130
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("function", ["chatty", "chatty_async"])
def test_what_a_component_prints_stays_out_of_json_and_events_on_stdout(
    suite_with: Callable[..., str], tmp_path: Path, function: str
) -> None:
    for flag in ("--json", "--events"):
        done = run_to_the_end(suite_with(function), "--no-cache", flag, "-", tmp_path=tmp_path)
        assert done.returncode == 0, done.stderr
        if flag == "--json":
            assert json.loads(done.stdout)[0]["run"]["passed"] == 2
        else:
            assert all(json.loads(line) for line in done.stdout.splitlines())
        assert "COMPONENT-SAYS" not in done.stdout
        assert "COMPONENT-SAYS" in done.stderr
