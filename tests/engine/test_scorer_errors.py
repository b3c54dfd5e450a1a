"""A scorer that could not judge makes the case an `error` with the reason (redacted of the model's
key), never a model `fail`, and the run goes on."""

from __future__ import annotations

import json
from pathlib import Path

from evaltui.engine import Runner, RunOptions, prepare
from evaltui.store import Store
from evaltui.suites import load_suite

SCORER = """
import os

def check(output, expected, case):
    if case.id == "c1":
        raise ValueError("rejected with key " + os.environ["ENGINE_TEST_KEY"])
    if case.id == "c2":
        raise SystemExit(3)
    return output == expected
"""


async def test_a_scorer_that_raises_is_a_case_error_with_the_key_redacted(
    store: Store, api_model, fake_api, tmp_path: Path
) -> None:
    (tmp_path / "checks.py").write_text(SCORER)
    rows = [{"id": f"c{i}", "input": f"case-{i}", "expected": f"CASE-{i}"} for i in range(4)]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: scorer-errors\nprompt: 'Q: {{ input }}'\n"
        "scorers:\n  - type: python\n    function: checks.py:check\ncases:\n  - file: cases.jsonl\n"
    )
    run_id = await Runner(store, prepare(load_suite(suite)), api_model(), RunOptions(concurrency=2)).run()
    results = {row.case_id: row for row in store.iter_results(run_id)}
    assert results["c1"].status == "error" and results["c1"].output == "CASE-1"
    assert "ValueError: rejected with key [redacted]" in results["c1"].error
    assert "sk-engine-test-secret" not in results["c1"].error
    assert results["c2"].status == "error" and "SystemExit: 3" in results["c2"].error
    assert results["c0"].status == results["c3"].status == "pass"
    run = store.get_run(run_id)
    assert (run.status, run.passed, run.failed, run.errors) == ("completed", 2, 0, 2)
