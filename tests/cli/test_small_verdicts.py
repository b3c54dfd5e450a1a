"""Small figures that must be true: export times in the runs' ISO form, the cost of a run whose
every case errored is unknown (not $0.0000), and comparing runs of different suites warns."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "sample_suites"


def test_jsonl_export_gives_finish_times_in_the_iso_form_of_runs(cli):
    assert (
        cli(
            "run", str(SAMPLES / "support_intent.yaml"), "-m", "demo:keyword", "--limit", "3", "-q"
        ).returncode
        == 0
    )
    run = json.loads(cli("runs", "--json").stdout)[0]
    rows = [json.loads(line) for line in cli("export", run["id"]).stdout.splitlines()]
    assert len(rows) == 3
    for row in rows:
        when = datetime.fromisoformat(row["finished_at"])
        assert when.utcoffset() is not None and when.utcoffset().total_seconds() == 0
        assert row["finished_at"][-6:] == run["finished_at"][-6:] == "+00:00"
        assert datetime.fromisoformat(run["started_at"]) <= when <= datetime.fromisoformat(run["finished_at"])


def test_a_run_whose_every_case_errored_has_an_unknown_cost(cli, fake_api, tmp_path: Path):
    for i in range(5):
        fake_api.fail_when(f"case-{i}", "503")
    cases = "".join(f'  - {{id: c{i}, input: "case-{i}", expected: "CASE-{i}"}}\n' for i in range(5))
    suite = tmp_path / "down.yaml"
    suite.write_text(
        "name: down\nprompt: 'Q: {{ input }}'\nmodels:\n  - id: fake\n    provider: openai\n"
        f"    model: fake\n    base_url: {fake_api.base_url}\n    api_key_env: DOWN_KEY\n"
        f"    max_retries: 0\nscorers:\n  - type: equals\ncases:\n{cases}"
    )
    done = cli("run", str(suite), extra_env={"DOWN_KEY": "sk-down"})
    assert done.returncode == 0, done.stderr
    assert "$0.0000" not in done.stdout and "cost unknown" in done.stdout
    assert json.loads(cli("runs", "--json").stdout)[0]["cost_usd"] is None
    assert json.loads(cli("show", "latest", "--json").stdout)["metrics"]["cost_usd"] is None
    assert "$0" not in cli("runs").stdout and "$0" not in cli("show", "latest").stdout


def test_comparing_runs_of_different_suites_warns_in_text(cli):
    for name in ("support_intent.yaml", "math_word_problems.yaml"):
        assert cli("run", str(SAMPLES / name), "-m", "demo:echo", "--limit", "3", "-q").returncode == 0
    newer, older = (run["id"] for run in json.loads(cli("runs", "--json").stdout))
    shown = cli("compare", older, newer, extra_env={"COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    warning = next((line for line in shown.stdout.splitlines() if line.startswith("warning")), "")
    assert "different suites" in warning and "support-intent" in warning, shown.stdout
    data = json.loads(cli("compare", older, newer, "--json").stdout)
    assert data["suites"] == "different" and "different suites" in data["warning"]
