"""`evaltui run` with a python scorer that never returns or raises SystemExit: each case is an
error with the reason, the run is stored, and evaltui exits on its own with its usual code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

Cli = Callable[..., CompletedProcess[str]]
CHECKS = """
def hangs(output, expected, case):
    while True:
        pass

def exits(output, expected, case):
    raise SystemExit(3)
"""


@pytest.fixture
def suite_with(tmp_path: Path) -> Callable[[str], str]:
    def write(function: str) -> str:
        (tmp_path / "checks.py").write_text(CHECKS)
        path = tmp_path / f"{function}.yaml"
        path.write_text(
            f"name: {function}\nprompt: 'Say {{{{ input }}}}'\nscorers:\n  - type: python\n"
            f"    function: checks.py:{function}\n    timeout_s: 1\n"
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
