"""`evaltui show` of a run with epochs names its flaky cases (those whose epochs disagree), as the
README promises; it gave only their share."""

from __future__ import annotations

import json
from pathlib import Path

FLIPS = """
import collections
asked = collections.Counter()

def answer(messages, vars):
    asked[vars["input"]] += 1
    if vars["input"].startswith("steady"):
        return "yes"
    return "yes" if asked[vars["input"]] % 2 else "no"
"""


def flaky_run(cli, tmp_path: Path) -> None:
    """A run of three cases over two epochs: `steady` agrees with itself, `wobbly` and `shaky` flip."""
    (tmp_path / "flips.py").write_text(FLIPS)
    (tmp_path / "f.yaml").write_text(
        "name: flips\nprompt: '{{ input }}'\nmodels: ['python:flips:answer']\nscorers: [{type: equals}]\n"
        "cases:\n"
        + "".join(f"  - {{id: {c}, input: {c}, expected: 'yes'}}\n" for c in ("steady", "wobbly", "shaky"))
    )
    env = {"PYTHONPATH": str(tmp_path)}
    assert cli("run", "f.yaml", "-q", "--epochs", "2", "-c", "1", extra_env=env).returncode == 0


def test_show_names_the_flaky_cases_of_a_run_with_epochs(cli, tmp_path: Path) -> None:
    flaky_run(cli, tmp_path)
    shown = cli("show", "latest", extra_env={"PYTHONPATH": str(tmp_path), "COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    said = [line for line in shown.stdout.splitlines() if line.startswith("flaky")]
    assert "66.7% of cases disagree" in said[0], said
    assert said[1] == "flaky cases: wobbly, shaky", said


def test_show_json_names_the_flaky_cases_too(cli, tmp_path: Path) -> None:
    """`show --json` gave the flaky share only: a CI step reading it could not say which cases."""
    flaky_run(cli, tmp_path)
    shown = cli("show", "latest", "--json", extra_env={"PYTHONPATH": str(tmp_path)})
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["flaky_total"] == 2 and data["flaky_cases"] == ["wobbly", "shaky"], data


def test_runs_shows_the_interval_show_prints_for_a_run_with_epochs(cli, tmp_path: Path) -> None:
    """With epochs the interval is clustered by case: `show` printed it, `runs` a Wilson interval
    over the results (as if each epoch were another case), narrower than the truth."""
    (tmp_path / "flips.py").write_text(FLIPS)
    cases = "".join(f"  - {{id: c{i}, input: c{i}, expected: 'yes'}}\n" for i in range(6))
    cases += "".join(f"  - {{id: s{i}, input: steady{i}, expected: 'yes'}}\n" for i in range(6))
    (tmp_path / "f.yaml").write_text(
        "name: flips\nprompt: '{{ input }}'\nmodels: ['python:flips:answer']\nscorers: [{type: equals}]\n"
        "cases:\n" + cases
    )
    env = {"PYTHONPATH": str(tmp_path), "COLUMNS": "200"}
    assert cli("run", "f.yaml", "-q", "--epochs", "3", "-c", "1", extra_env=env).returncode == 0
    shown = cli("show", "latest", extra_env=env).stdout
    interval = shown.split("[", 1)[1].split("]", 1)[0]
    assert "clustered" in shown, shown
    listed = cli("runs", extra_env=env).stdout
    assert f"[{interval}]" in listed, (interval, listed)


def test_the_progress_line_of_a_run_with_epochs_shows_no_interval(cli, tmp_path: Path) -> None:
    """The live counts are of results: a Wilson interval over them treats each epoch as another
    case, narrower than the clustered one the run ends with, so the live line gives the rate only
    (as the TUI's Run screen does); a run of one epoch keeps its interval."""
    (tmp_path / "flips.py").write_text(FLIPS)
    cases = "".join(f"  - {{id: c{i}, input: c{i}, expected: 'yes'}}\n" for i in range(6))
    (tmp_path / "f.yaml").write_text(
        "name: flips\nprompt: '{{ input }}'\nmodels: ['python:flips:answer']\nscorers: [{type: equals}]\n"
        "cases:\n" + cases
    )
    env = {"PYTHONPATH": str(tmp_path), "COLUMNS": "200"}
    for epochs, interval in (("3", False), ("1", True)):
        done = cli("run", "f.yaml", "--epochs", epochs, "-c", "1", extra_env=env)
        assert done.returncode == 0, done.stderr
        line = next(line for line in done.stderr.splitlines() if "python:flips:answer" in line)
        assert " pass " in line and ("[" in line) == interval, line
