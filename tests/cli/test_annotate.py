"""`evaltui annotate` and where annotations go: `show` (text and --json), every export format, the
CI gate's Markdown report, and a later run's hints."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

ECHO = (
    "name: echo\nprompt: '{{ input }}'\nmodels: [demo:echo]\nscorers:\n  - type: equals\ncases:\n"
    "  - {id: good, input: same, expected: same}\n"
    "  - {id: bad, input: 'Bonjour « ça va »', expected: other}\n"
)


def suite(tmp_path: Path) -> Path:
    path = tmp_path / "echo.yaml"
    path.write_text(ECHO, encoding="utf-8")
    return path


def test_annotate_keeps_a_label_and_note_that_show_and_every_export_carry(cli, tmp_path):
    assert cli("run", str(suite(tmp_path)), "-q").returncode == 0
    done = cli("annotate", "latest", "bad", "--label", "expected-wrong", "--note", 'line 1\n"line" 2 ⏎')
    assert done.returncode == 0, done.stderr
    assert "expected-wrong" in done.stdout
    data = json.loads(cli("show", "latest", "--json").stdout)
    assert [f["label"] for f in data["failures"]] == ["expected-wrong"]
    (note,) = data["annotations"]["bad"]
    assert (note["label"], note["note"]) == ("expected-wrong", 'line 1\n"line" 2 ⏎')
    assert note["author"] and note["created_at"]
    assert "expected-wrong" in cli("show", "latest").stdout

    rows = [json.loads(line) for line in cli("export", "latest").stdout.splitlines()]
    by_case = {r["case_id"]: r for r in rows}
    assert by_case["bad"]["label"] == "expected-wrong" and by_case["good"]["label"] is None
    assert by_case["bad"]["notes"][0]["note"] == 'line 1\n"line" 2 ⏎'
    out = tmp_path / "run.csv"
    assert cli("export", "latest", "--format", "csv", "-o", str(out)).returncode == 0
    table = {r["case_id"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert table["bad"]["label"] == "expected-wrong"
    assert json.loads(table["bad"]["notes"])[0]["note"] == 'line 1\n"line" 2 ⏎'
    assert table["good"]["notes"] == ""
    markdown = cli("export", "latest", "--format", "md").stdout
    assert "| label | notes |" in markdown and "expected-wrong" in markdown
    whole = json.loads(cli("export", "latest", "--format", "json").stdout)
    assert whole["annotations"]["bad"][0]["label"] == "expected-wrong"
    page = cli("export", "latest", "--format", "html").stdout
    assert "<b>expected-wrong</b>" in page and "&quot;line&quot; 2" in page


def test_a_later_runs_report_and_show_json_carry_the_earlier_label(cli, tmp_path):
    path = suite(tmp_path)
    assert cli("run", str(path), "-q", "--label", "baseline").returncode == 0
    assert cli("annotate", "label:baseline", "bad", "-l", "flaky").returncode == 0
    report = tmp_path / "report.md"
    done = cli("run", str(path), "-q", "--baseline", "label:baseline", "--report", str(report))
    assert done.returncode == 0, done.stderr
    text = report.read_text(encoding="utf-8")
    assert "#### Labels: demo:echo" in text and "| bad | flaky | earlier run" in text
    earlier = json.loads(cli("show", "latest", "--json").stdout)["earlier_labels"]
    assert earlier["bad"]["label"] == "flaky"


def test_annotate_refuses_an_unknown_case_and_an_empty_annotation(cli, tmp_path):
    assert cli("run", str(suite(tmp_path)), "-q").returncode == 0
    unknown = cli("annotate", "latest", "nope", "--label", "flaky")
    assert unknown.returncode == 2 and "no result for case 'nope'" in unknown.stderr
    empty = cli("annotate", "latest", "bad")
    assert empty.returncode == 2 and "--label, --note" in empty.stderr
    multi = cli("annotate", "latest", "bad", "--label", "two\nlines")
    assert multi.returncode == 2 and "one line" in multi.stderr
    assert json.loads(cli("show", "latest", "--json").stdout)["annotations"] == {}
