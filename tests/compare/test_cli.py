"""The CLI as a user runs it: `compare`, `export`, and the gate options of `run` (exit codes,
reports). Gate runs use the offline demo models on the packaged support-intent sample, whose
outcomes are fixed: demo:keyword passes 57 of 78 cases, demo:rules 33, with 28 regressions."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.compare.builders import make_run, make_suite

from evaltui.store import Store

SUITE = "support_intent.yaml"
HOSTILE = "evil \x1b[31mred\x1b[0m | *bold* @everyone <script>\x00 [x](http://e.vil)"


@pytest.fixture
def baseline(cli) -> None:
    done = cli("run", SUITE, "-m", "demo:keyword", "-q", "--label", "baseline")
    assert done.returncode == 0, done.stderr


def test_gate_passes_when_no_bar_is_broken(cli, baseline, tmp_path: Path) -> None:
    done = cli("run", SUITE, "-m", "demo:keyword", "-q", "--baseline", "label:baseline",
               "--fail-under", "0.7", "--max-regressions", "0", "--json", "out.json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "gate max-regressions: pass" in done.stdout
    [entry] = json.loads((tmp_path / "out.json").read_text())
    assert [g["passed"] for g in entry["gates"]] == [True, True]
    assert entry["comparison"]["counts"]["regressions"] == 0 and entry["metrics"]["rate"]["n"] == 78


def test_fail_under_exits_1_with_the_reason_on_stderr(cli, tmp_path: Path) -> None:
    done = cli("run", SUITE, "-m", "demo:rules", "-q", "--fail-under", "0.85")
    assert done.returncode == 1
    assert "gate failed: demo:rules: pass rate 42.3% of 78 asked under 85.0%" in done.stderr


def test_max_regressions_fails_and_reports_are_written(cli, baseline, tmp_path: Path) -> None:
    reports = ("--junit", "out.xml", "--report", "out.md", "--json", "out.json")
    done = cli(
        "run",
        SUITE,
        "-m",
        "demo:rules",
        "-q",
        "--baseline",
        "label:baseline",
        "--max-regressions",
        "0",
        *reports,
    )
    assert done.returncode == 1
    assert "28 regressions vs baseline (at most 0 allowed)" in done.stderr
    baseline_run = cli("show", "label:baseline", "--json")
    baseline_id = json.loads(baseline_run.stdout)["run"]["id"]
    # the comparison is headed by what is compared with what: the new run's model vs the baseline run
    assert f"demo:rules vs baseline {baseline_id} (demo:keyword, label baseline)" in done.stdout
    report = (tmp_path / "out.md").read_text()
    assert "**Gates: ❌ failed**" in report
    assert "| model | run | pass rate (95% CI) | vs baseline |" in report
    assert "| demo:rules |" in report and "| 28 | 4 |" in report
    assert "#### Regressions: demo:rules (28)" in report and "<details><summary>18 more</summary>" in report
    assert "\\[-billing-\\]{+Other+}" in report
    cases = ET.parse(tmp_path / "out.xml").getroot().findall("./testsuite/testcase")
    assert len(cases) == 78
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(failures) == 78 - 33
    assert "expected" in failures[0].find("failure").get("message")
    gates = json.loads((tmp_path / "out.json").read_text())[0]["gates"]
    assert gates == [{"name": "max-regressions", "passed": False,
                      "detail": "28 regressions vs baseline (at most 0 allowed)"}]  # fmt: skip


def test_missing_baseline_is_a_usage_error_and_nothing_runs(cli) -> None:
    done = cli("run", SUITE, "-m", "demo:rules", "-q", "--baseline", "label:nope", "--max-regressions", "0")
    assert done.returncode == 2 and "no run labelled 'nope'" in done.stderr
    assert cli("runs", "--json").stdout.strip() in ("", "[]")


def test_max_regressions_without_a_baseline_is_a_usage_error(cli) -> None:
    done = cli("run", SUITE, "-m", "demo:rules", "-q", "--max-regressions", "0")
    assert done.returncode == 2 and "add --baseline" in done.stderr


def test_several_models_print_the_matrix_summary(cli) -> None:
    done = cli("run", SUITE, "-m", "demo:keyword", "-m", "demo:rules", "-c", "1")
    assert done.returncode == 0, done.stderr
    assert "models" in done.stdout and "demo:rules" in done.stdout
    assert "cases: all pass" in done.stdout and "disagree" in done.stdout


def _pair(db: Path) -> tuple[str, str]:
    with Store(db) as store:
        suite = make_suite(["c1", "c2", "c3"])
        a = make_run(store, suite, {"c1": "pass", "c2": "pass", "c3": "fail"}, label="baseline")
        b = make_run(store, suite, {"c1": "pass", "c2": "fail", "c3": "fail"}, outputs={"c2": HOSTILE})
    return a, b


def test_compare_prints_summary_and_regression_diffs_inertly(cli, db: Path) -> None:
    _, b = _pair(db)
    done = cli("compare", "label:baseline", b)
    assert done.returncode == 0, done.stderr
    assert "1 regressions (pass→fail), 0 improvements" in done.stdout
    assert "not distinguishable from noise (p=1)" in done.stdout
    assert "c2" in done.stdout and "\x1b[31m" not in done.stdout and "␛[31m" in done.stdout


def test_compare_json_and_previous(cli, db: Path) -> None:
    a, b = _pair(db)
    data = json.loads(cli("compare", b, "previous", "--json").stdout)
    # the run before b is A: c2 passed there and fails in b, a regression forward in time
    assert data["run_a"]["id"] == a and data["run_b"]["id"] == b
    assert data["regressions"] == ["c2"] and data["counts"]["paired"] == 3
    assert data["shown"]["regressions"][0]["case_id"] == "c2"


def test_compare_previous_without_an_earlier_run_exits_2(cli, db: Path) -> None:
    a, _ = _pair(db)
    done = cli("compare", a, "previous")
    assert done.returncode == 2 and "before" in done.stderr


def test_export_jsonl_keeps_text_exact_and_md_makes_it_inert(cli, db: Path) -> None:
    _, b = _pair(db)
    rows = [json.loads(line) for line in cli("export", b).stdout.splitlines()]
    assert [r["case_id"] for r in rows] == ["c1", "c2", "c3"] and rows[1]["output"] == HOSTILE
    assert all("api_key" not in json.dumps(r).lower() for r in rows)
    table = list(csv.reader(io.StringIO(cli("export", b, "--format", "csv").stdout)))
    assert table[0][:3] == ["case_id", "epoch", "status"] and len(table) == 4 and table[2][3] == HOSTILE
    md = cli("export", b, "--format", "md").stdout
    assert all(f"\n| {cid} | 0 |" in md for cid in ("c1", "c2", "c3"))
    assert "\x1b" not in md and "\x00" not in md
    assert "&#64;everyone" in md and "&lt;script&gt;" in md and "\\| \\*bold\\*" in md


def test_export_to_a_file(cli, db: Path, tmp_path: Path) -> None:
    _, b = _pair(db)
    assert cli("export", b, "--format", "jsonl", "-o", "x.jsonl").returncode == 0
    assert len((tmp_path / "x.jsonl").read_text().splitlines()) == 3


def test_junit_stays_valid_xml_with_control_characters(tmp_path: Path) -> None:
    from evaltui.reports.junit import write_junit

    with Store(tmp_path / "j.db") as store:
        _, b = _pair(tmp_path / "j.db")
        write_junit(store, [b], tmp_path / "j.xml")
    root = ET.parse(tmp_path / "j.xml").getroot()
    assert len(root.findall("./testsuite/testcase")) == 3
    assert "␛[31m" in root.find("./testsuite/testcase[@name='c2']/system-out").text
