"""A gate is over every case the run was asked to do: an errored case is not a pass. Every summary
and report says how many cases errored next to the pass rate, and a report with no gates says so."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

CASES = 20
ERRORED = 14  # 70% of the requests answered 503, never retried


@pytest.fixture
def flaky_suite(fake_api, tmp_path: Path) -> Path:
    """A suite of 20 cases on the fake API, 14 of which are answered 503 (max_retries: 0); the 6
    answered ones pass."""
    lines = "".join(
        json.dumps({"id": f"c{i:02d}", "input": f"case-{i:02d}", "expected": f"CASE-{i:02d}"}) + "\n"
        for i in range(CASES)
    )
    (tmp_path / "cases.jsonl").write_text(lines)
    for i in range(ERRORED):
        fake_api.fail_when(f"case-{i:02d}", "503")
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: flaky\nprompt: 'Q: {{ input }}'\nmodels:\n  - id: fake\n    provider: openai\n"
        f"    model: fake\n    base_url: {fake_api.base_url}\n    api_key_env: GATE_KEY\n"
        "    max_retries: 0\nscorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    return path


KEY = {"GATE_KEY": "sk-gate"}


def test_a_gate_fails_when_most_cases_errored_even_if_every_answer_passed(cli, flaky_suite, tmp_path):
    done = cli("run", str(flaky_suite), "--fail-under", "0.75", "--report", "r.md", extra_env=KEY)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    report = (tmp_path / "r.md").read_text()
    assert "passed" not in report.split("\n\n")[1]  # the verdict line under the title
    assert "❌ failed" in report
    assert f"{ERRORED} errored" in report
    assert "30.0%" in done.stderr  # the rate the gate checked: 6 passed of 20 asked
    assert "of 6 scored" in done.stdout and f"{ERRORED} errored" in done.stdout


def test_a_gate_passes_on_the_rate_over_every_asked_case(cli, flaky_suite):
    done = cli("run", str(flaky_suite), "--fail-under", "0.3", "-q", extra_env=KEY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "gate fail-under: pass  pass rate 30.0% of 20 asked" in done.stdout


def test_a_report_without_gates_says_no_gates_set(cli, flaky_suite, tmp_path):
    done = cli("run", str(flaky_suite), "--report", "r.md", "-q", extra_env=KEY)
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "r.md").read_text()
    assert "no gates set" in report
    assert "passed" not in report and "✅" not in report


def test_junit_marks_errored_cases_as_errors_and_says_how_many(cli, flaky_suite, tmp_path):
    done = cli("run", str(flaky_suite), "--junit", "j.xml", "-q", extra_env=KEY)
    assert done.returncode == 0, done.stderr
    suite = ET.parse(tmp_path / "j.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("errors") == str(ERRORED) and suite.get("failures") == "0"
    cases = suite.findall("testcase")
    assert len(cases) == CASES
    assert sum(c.find("error") is not None for c in cases) == ERRORED
    assert all(c.find("failure") is None for c in cases)
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["errored"] == str(ERRORED) and props["scored"] == str(CASES - ERRORED)


def test_show_and_runs_put_the_error_count_beside_the_pass_rate(cli, flaky_suite):
    assert cli("run", str(flaky_suite), "-q", extra_env=KEY).returncode == 0
    shown = cli("show", "latest").stdout
    rate_line = next(line for line in shown.splitlines() if line.startswith("pass rate"))
    assert re.search(rf"of 6 scored · {ERRORED} errored", rate_line), rate_line
    listed = cli("runs", extra_env={"COLUMNS": "80"}).stdout
    assert f"{ERRORED} err" in listed, listed


def test_the_several_models_summary_says_what_each_rate_is_over(cli, flaky_suite):
    wide = KEY | {"COLUMNS": "160"}
    done = cli("run", str(flaky_suite), "-m", "fake", "-m", "demo:echo", "-q", extra_env=wide)
    assert done.returncode == 0, done.stderr
    table = done.stdout.split("models", 1)[1]
    fake = next(line for line in table.splitlines() if "fake" in line)
    assert f"of 6 scored · {ERRORED} errored" in fake


def test_help_says_the_gate_counts_errored_cases(cli):
    assert "errored case counts as not passed" in " ".join(cli("run", "--help").stdout.split())


def test_fail_under_must_be_a_finite_share(cli, flaky_suite):
    for bar in ("nan", "inf", "-0.1", "1.5"):
        done = cli("run", str(flaky_suite), "--fail-under", bar, "-q", extra_env=KEY)
        assert done.returncode == 2, (bar, done.stdout, done.stderr)
        assert "--fail-under" in done.stderr and "Traceback" not in done.stderr
    assert cli("runs", "--json").stdout.strip() in ("", "[]")  # refused before anything ran


def test_a_gate_short_of_every_case_never_says_the_rate_was_all(cli, tmp_path):
    """9,999 of 10,000 passing is 99.99%: the failed fail-under gate at 1.0 must not read
    'pass rate 100.0% … under 100.0%', nor the summary's interval '[100%–100%]'."""
    n = 10_000
    (tmp_path / "cases.jsonl").write_text(
        "".join(json.dumps({"id": f"c{i}", "input": f"w{i}", "expected": f"W{i}"}) + "\n" for i in range(n))
    )
    (tmp_path / "gate_component.py").write_text(
        "def shout(messages, vars=None):\n"
        "    text = messages[-1]['content']\n"
        "    return 'nope' if text == 'w7' else text.upper()\n"
    )
    (tmp_path / "s.yaml").write_text(
        "name: nearly\nprompt: '{{ input }}'\nmodels:\n  - provider: python\n"
        "    model: gate_component:shout\nscorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    done = cli("run", "s.yaml", "--fail-under", "1.0", "--no-cache", extra_env={"PYTHONPATH": str(tmp_path)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "pass rate >99.9% of 10,000 asked under 100.0%" in done.stdout + done.stderr
    assert "100.0%" not in done.stdout.replace("under 100.0%", "")
    assert "[99%–100%]" in done.stdout
    assert "100.0%" not in done.stderr.replace("under 100.0%", "")  # the progress line's last figures


COMPONENT = """import os
def answer(messages, vars):
    if os.environ.get("BREAK") and "b" in messages[-1]["content"]:
        raise RuntimeError("broken now")
    return "yes"
"""


@pytest.fixture
def component_suite(tmp_path: Path) -> Path:
    """Three cases a Python component answers "yes"; with BREAK set, case b errors."""
    (tmp_path / "comp_gate.py").write_text(COMPONENT)
    path = tmp_path / "g.yaml"
    path.write_text(
        "name: gate-check\nprompt: '{{ input }}'\nmodels: ['python:comp_gate:answer']\n"
        "scorers: [{type: equals}]\ncases:\n"
        + "".join(f"  - {{id: {c}, input: {c}, expected: 'yes'}}\n" for c in "abc")
    )
    return path


@pytest.mark.parametrize("epochs", ["1", "2"])
def test_a_case_that_passed_in_the_baseline_and_errors_now_fails_max_regressions(
    cli, component_suite, tmp_path, epochs
):
    """A gate counts an error as not passed: case b passed in the baseline and errored in the new
    run, and `--max-regressions 0` passed ("0 regressions"), since only pass→fail was counted."""
    env = {"PYTHONPATH": str(tmp_path)}
    base = cli("run", str(component_suite), "-q", "--epochs", epochs, "--label", "base", extra_env=env)
    assert base.returncode == 0, base.stderr
    args = ("run", str(component_suite), "-q", "--epochs", epochs, "--no-cache", "--baseline", "label:base")
    done = cli(
        *args, "--max-regressions", "0", "--report", "r.md", extra_env={**env, "BREAK": "1", "COLUMNS": "200"}
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 regression" in done.stderr and "errored" in done.stderr, done.stderr
    assert "(1 of them passed in A: a gate counts them as regressions)" in done.stdout, done.stdout
    assert "❌" in (tmp_path / "r.md").read_text()


def test_a_regressions_gate_with_nothing_compared_does_not_pass(cli, component_suite, tmp_path):
    """`--baseline latest` naming a run of another suite: no case was scored by both runs, and the
    gate passed with "0 regressions", a verdict on nothing."""
    env = {"PYTHONPATH": str(tmp_path)}
    assert cli("run", "support_intent.yaml", "-m", "demo:keyword", "--limit", "2", "-q").returncode == 0
    done = cli(
        "run", str(component_suite), "-q", "--baseline", "latest", "--max-regressions", "0", extra_env=env
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no case was scored by both runs" in done.stderr, done.stderr


def test_compare_with_previous_reads_forward_in_time(cli, tmp_path):
    """`compare latest previous` put the older run as B: B−A was old minus new, and a case that
    broke in the latest run was listed as an improvement. Compared with the run before it, a run
    is B and the one before it A, as the TUI's `c` and a gate's baseline do."""
    (tmp_path / "comp_flip.py").write_text(
        COMPONENT.replace('raise RuntimeError("broken now")', 'return "no"')
    )
    (tmp_path / "f.yaml").write_text(
        "name: flip\nprompt: '{{ input }}'\nmodels: ['python:comp_flip:answer']\nscorers: [{type: equals}]\n"
        "cases:\n" + "".join(f"  - {{id: {c}, input: {c}, expected: 'yes'}}\n" for c in "abc")
    )
    env = {"PYTHONPATH": str(tmp_path), "COLUMNS": "200"}
    assert cli("run", "f.yaml", "-q", extra_env=env).returncode == 0
    assert cli("run", "f.yaml", "-q", "--no-cache", extra_env={**env, "BREAK": "1"}).returncode == 0
    older, newer = [run["id"] for run in reversed(json.loads(cli("runs", "--json").stdout))]
    done = cli("compare", "latest", "previous", "--json", extra_env=env)
    assert done.returncode == 0, done.stderr
    compared = json.loads(done.stdout)
    assert (compared["run_a"]["id"], compared["run_b"]["id"]) == (older, newer)
    assert compared["regressions"] == ["b"] and compared["improvements"] == []
