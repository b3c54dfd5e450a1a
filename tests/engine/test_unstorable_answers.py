"""An answer whose numbers SQLite cannot hold costs that one case, never the run: the case is an
error with the reason, every other answer is kept, and the run completes."""

from __future__ import annotations

import json

import pytest

from evaltui.engine import Runner, RunOptions, prepare
from evaltui.store import Store
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec


async def test_a_python_model_reporting_10_to_the_20_tokens_errors_that_case_only(
    store: Store, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "huge_usage_model.py").write_text(
        "def ask(messages, vars):\n"
        "    tokens = 10**20 if vars['input'] == 'item 7' else 3\n"
        "    return {'output': vars['expected'], 'tokens_in': tokens, 'tokens_out': 2}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    rows = [{"id": f"k{i}", "input": f"item {i}", "expected": f"answer {i}"} for i in range(45)]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    path = tmp_path / "suite.yaml"
    path.write_text(
        "name: huge\nprompt: '{{ input }}'\nscorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    model = ModelSpec(provider="python", model="huge_usage_model:ask", max_retries=0)

    run_id = await Runner(store, prepare(load_suite(path)), model, RunOptions(concurrency=8)).run()

    run = store.get_run(run_id)
    assert (run.status, run.done, run.passed, run.errors) == ("completed", 45, 44, 1)
    bad = {r.case_id: r for r in store.iter_results(run_id)}["k7"]
    assert bad.status == "error" and bad.error
    assert bad.tokens_in is None
