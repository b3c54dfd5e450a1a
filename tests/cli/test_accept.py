"""`evaltui accept RUN CASE`: the diff, the question, the write into the suite, the result marked
accepted, and the next run passing on it."""

from __future__ import annotations

import json
from pathlib import Path

SUITE = """\
name: echo  # accept me
prompt: '{{ input }}'
models: [demo:echo]
scorers:
  - type: equals
cases:
  - {id: good, input: same, expected: same}
  - id: bad
    input: "Ça « marche »"
    expected: "ça marche"   # a guess
"""


def test_accept_writes_the_output_marks_the_result_and_the_next_run_passes(cli, tmp_path: Path):
    path = tmp_path / "echo.yaml"
    path.write_text(SUITE, encoding="utf-8")
    assert cli("run", str(path), "-q").returncode == 0
    done = cli("accept", "latest", "bad", "--yes")
    assert done.returncode == 0, done.stderr
    assert '-    expected: "ça marche"   # a guess' in done.stdout
    assert '+    expected: "Ça « marche »"   # a guess' in done.stdout
    assert path.read_text(encoding="utf-8") == SUITE.replace('"ça marche"', '"Ça « marche »"')
    shown = json.loads(cli("show", "latest", "--json").stdout)
    assert shown["failures"][0]["label"] == "accepted"
    assert "echo.yaml:10" in shown["annotations"]["bad"][0]["note"]
    again = cli("run", str(path), "-q", "--json", "-")
    assert json.loads(again.stdout)[0]["metrics"]["passed"] == 2


def test_accept_without_a_terminal_or_yes_writes_nothing(cli, tmp_path: Path):
    path = tmp_path / "echo.yaml"
    path.write_text(SUITE, encoding="utf-8")
    assert cli("run", str(path), "-q").returncode == 0
    done = cli("accept", "latest", "bad")
    assert done.returncode == 2 and "--yes" in done.stderr
    assert path.read_text(encoding="utf-8") == SUITE
    passed = cli("accept", "latest", "good", "--yes")
    assert passed.returncode == 2 and "passed" in passed.stderr


def test_a_case_scored_without_expected_cannot_be_accepted_and_says_why(cli, tmp_path: Path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "name: c\nprompt: '{{ input }}'\nmodels: [demo:echo]\nscorers:\n  - {type: contains, value: zzz}\n"
        "cases:\n  - {id: x, input: abc}\n",
        encoding="utf-8",
    )
    assert cli("run", str(path), "-q").returncode == 0
    done = cli("accept", "latest", "x", "--yes")
    assert done.returncode == 2 and "has no `expected`" in done.stderr and "something else" in done.stderr
