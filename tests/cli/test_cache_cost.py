"""A cached answer was paid for when it was first asked: a run answered from the response cache
spends nothing, and every figure of the run says so (the rows keep what the answer first cost)."""

from __future__ import annotations

import json
from pathlib import Path

SUITE = str(Path(__file__).resolve().parents[2] / "sample_suites" / "support_intent.yaml")
TEN = ("-m", "demo:keyword", "--limit", "10")
PRICES = "prices:\n  'demo:':\n    input_per_mtok: 1000\n    output_per_mtok: 2000\n"


def test_a_rerun_from_the_cache_spends_nothing_and_says_so(cli, tmp_path):
    (tmp_path / "cfg.yaml").write_text(PRICES)
    first = cli("run", SUITE, *TEN, extra_env={"COLUMNS": "160"})
    again = cli("run", SUITE, *TEN, extra_env={"COLUMNS": "160"})
    assert first.returncode == again.returncode == 0, again.stderr
    second, paid = json.loads(cli("runs", "--json").stdout)[:2]
    assert paid["cost_usd"] > 0 and paid["tokens_in"] > 0
    assert second["cost_usd"] == 0.0 and second["tokens_in"] == second["tokens_out"] == 0
    shown = json.loads(cli("show", second["id"], "--json").stdout)["metrics"]
    assert shown["cost_usd"] == 0.0 and shown["tokens_in"] == shown["tokens_out"] == 0
    for summary in (again.stdout, cli("show", second["id"], extra_env={"COLUMNS": "160"}).stdout):
        assert "cost $0.0000 spent (10 cached answers not charged)" in summary
    assert "not charged" not in first.stdout
    assert "cost $0" in first.stdout and "spent" in first.stdout
    compared = cli("compare", second["id"], paid["id"], extra_env={"COLUMNS": "160"}).stdout
    assert "cost spent  $0.0000 → $" in compared
    exported = cli("export", second["id"], "--format", "jsonl").stdout
    results = [json.loads(line) for line in exported.splitlines()]
    assert all(r["cached"] and r["cost_usd"] > 0 for r in results)  # each row: what it first cost
