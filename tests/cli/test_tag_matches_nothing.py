"""A `--tag` no case has is a mistake (a typo, a tag renamed in the suite), not a run of nothing:
`evaltui run` says so and exits 2 before a run is recorded, naming the suite's tags."""

from __future__ import annotations

import json


def test_a_tag_no_case_has_is_refused_before_a_run_is_recorded(cli):
    done = cli("run", "support_intent.yaml", "-m", "demo:keyword", "-t", "biling", "-q")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "biling" in done.stderr and "billing" in done.stderr and "Traceback" not in done.stderr
    assert json.loads(cli("runs", "--json").stdout) == []


def test_a_tag_some_case_has_still_runs_those_cases(cli):
    done = cli("run", "support_intent.yaml", "-m", "demo:keyword", "-t", "biling", "-t", "billing", "-q")
    assert done.returncode == 0, done.stderr
    assert json.loads(cli("runs", "--json").stdout)[0]["done"] == 22
