"""`evaltui run` pauses the garbage collector through its start-up only: the run itself has it on
(its memory stays bounded by what is in flight), and a caller of `main` gets it back as it was."""

from __future__ import annotations

import gc
import subprocess
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from evaltui.cli import main

SUITE = (
    "name: collector\nprompt: '{{ input }}'\nmodels: ['python:collector_probe:answer']\n"
    "scorers: [{type: equals}]\ncases:\n"
    "  - {id: a, input: x, expected: 'on'}\n  - {id: b, input: y, expected: 'on'}\n"
)
PROBE = "import gc\n\ndef answer(messages, vars):\n    return 'on' if gc.isenabled() else 'off'\n"


def write_suite(tmp_path: Path) -> Path:
    (tmp_path / "collector_probe.py").write_text(PROBE)
    (tmp_path / "s.yaml").write_text(SUITE)
    return tmp_path / "s.yaml"


def test_the_model_is_asked_with_the_collector_on(
    cli: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    write_suite(tmp_path)
    done = cli("run", "s.yaml", "--no-cache", extra_env={"PYTHONPATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "pass rate 100.0%" in done.stdout


def test_main_gives_the_collector_back_on_after_a_run_an_estimate_and_an_error(
    tmp_path: Path, monkeypatch
) -> None:
    suite = write_suite(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("EVALTUI_CONFIG", str(tmp_path / "cfg.yaml"))
    db = str(tmp_path / "r.db")
    for args, code in (
        (["run", str(suite), "--db", db, "-q"], 0),
        (["run", str(suite), "--db", db, "--estimate"], 0),
        (["run", str(tmp_path / "missing.yaml"), "--db", db], 2),
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == code, result.output
        assert gc.isenabled()
