"""`evaltui run` and code-exec's sandbox, end to end (uvloop, the headless loop): the packaged
python_functions suite scores in bubblewrap; without bubblewrap every case is an error that says
how to install it; `--sandbox none` runs unsandboxed, warned and recorded with the run."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from tests.samples.conftest import SAMPLE_DIR

Cli = Callable[..., CompletedProcess[str]]
SUITE = str(SAMPLE_DIR / "python_functions.yaml")


def run_counts(done: CompletedProcess[str]) -> dict[str, int]:
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)[0]["run"]
    return {key: run[key] for key in ("passed", "failed", "errors")}


def stored_scorers(db: Path) -> list[dict]:
    with sqlite3.connect(db) as conn:
        (definition,) = conn.execute("SELECT definition FROM suites").fetchone()
    conn.close()
    return json.loads(definition)["scorers"]


def test_python_functions_scores_in_the_sandbox_under_evaltui_run(cli: Cli) -> None:
    done = cli("run", SUITE, "-m", "demo:keyword", "-q", "--json", "-")
    counts = run_counts(done)
    assert counts["errors"] == 0 and 0 < counts["passed"] < 34, counts
    assert "WITHOUT a sandbox" not in done.stderr


def test_without_bubblewrap_every_code_exec_case_is_an_error_saying_how_to_install(
    cli: Cli, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    done = cli(
        "run", SUITE, "-m", "demo:keyword", "-q", "--json", "-", extra_env={"PATH": str(tmp_path / "empty")}
    )
    assert run_counts(done) == {"passed": 0, "failed": 0, "errors": 34}
    shown = cli("show", "--json", "latest", extra_env={"PATH": str(tmp_path / "empty")})
    assert "apt-get install bubblewrap" in shown.stdout


def test_sandbox_none_runs_warned_and_recorded_with_the_run(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = cli(
        "run", SUITE, "-m", "demo:keyword", "-q", "--json", "-", "--sandbox", "none",
        extra_env={"PATH": str(tmp_path / "empty")},
    )  # fmt: skip
    counts = run_counts(done)
    assert counts["errors"] == 0 and counts["passed"] > 0
    assert "code-exec runs model code WITHOUT a sandbox (sandbox: none at scorers[0])" in " ".join(
        done.stderr.split()
    )
    assert stored_scorers(tmp_path / "cli.db")[0]["sandbox"] == "none"
