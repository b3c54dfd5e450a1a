"""`evaltui run` ends its process without the interpreter's teardown (cli.exit_now): what a normal
exit would still do must be done before it: every line printed, exit handlers run, the exit code
the run decided."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "sample_suites"
# The `evaltui` script's own way in (`main()` on the process's arguments), with an exit handler
# registered first, as a library the run imports may register one.
PROGRAM = """
import atexit, sys
handled = sys.argv.pop()
atexit.register(lambda: open(handled, "w").write("ran"))
from evaltui.cli import main
main()
"""


def run_program(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    handled = tmp_path / "handler-ran"
    env = {**os.environ, "EVALTUI_DB": str(tmp_path / "r.db"), "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml")}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, "run", *args, str(handled)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    return done, handled


def test_a_run_runs_exit_handlers_and_prints_its_whole_summary_before_it_ends(tmp_path: Path) -> None:
    done, handled = run_program(tmp_path, str(SAMPLES / "support_intent.yaml"), "-m", "demo:keyword")
    assert done.returncode == 0, done.stderr
    assert handled.read_text() == "ran"
    assert "pass rate" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("details: evaltui show")


def test_a_gate_that_fails_still_exits_1(tmp_path: Path) -> None:
    done, handled = run_program(
        tmp_path, str(SAMPLES / "support_intent.yaml"), "-m", "demo:keyword", "--fail-under", "1"
    )
    assert done.returncode == 1, done.stderr
    assert handled.read_text() == "ran"


def test_a_run_of_a_sync_python_component_runs_exit_handlers_and_prints_its_whole_summary(
    tmp_path: Path,
) -> None:
    """A sync component's calls run in daemon threads, still alive (idle) when the run ends: the
    process ends as the interpreter would leave them, after every line and exit handler."""
    (tmp_path / "upper.py").write_text("def answer(messages, vars):\n    return vars['input'].upper()\n")
    cases = "".join(f"  - {{id: c{i}, input: w{i}, expected: W{i}}}\n" for i in range(5))
    (tmp_path / "s.yaml").write_text(
        "name: upper\nprompt: '{{ input }}'\nmodels: ['python:upper:answer']\nscorers: [{type: equals}]\n"
        "cases:\n" + cases
    )
    done, handled = run_program(tmp_path, "s.yaml", "--no-cache")
    assert done.returncode == 0, done.stderr
    assert handled.read_text() == "ran"
    assert "pass rate 100.0%" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("details: evaltui show")
