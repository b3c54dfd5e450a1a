"""A run of another run's failing cases chooses them from that run's results as it walks its
suite: no list of case ids is held, or kept with the run, and a resume finds the same cases."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from evaltui.engine import Runner, RunOptions, prepare
from evaltui.engine.rerun import only_failing
from evaltui.engine.resume import plan_resume
from evaltui.errors import EvaltuiError
from evaltui.store import Store
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec

ECHO = ModelSpec(provider="demo", model="echo")


def _suite(folder: Path, n: int) -> Path:
    """Cases whose expected value the echo model gives back only for every third case."""
    rows = [{"id": f"c{i:04d}", "input": f"q{i}", "expected": f"q{i}" if i % 3 else "no"} for i in range(n)]
    (folder / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    path = folder / "s.yaml"
    path.write_text(
        "name: t\nprompt: '{{ input }}'\nscorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    return path


async def test_only_failing_keeps_no_case_ids_and_asks_each_failing_case(
    tmp_path: Path, store: Store
) -> None:
    path = _suite(tmp_path, 600)
    first = await Runner(store, prepare(load_suite(path)), ECHO, RunOptions(epochs=2)).run()
    plan = only_failing(store, first)
    assert plan.cases == 200 and plan.notes == ()
    rerun = await Runner(store, prepare(plan.suite), plan.model, plan.options).run()
    run = store.get_run(rerun)
    assert run is not None and run.options is not None
    assert run.options["failing_of"] == first and "cases" not in run.options
    asked = {r.case_id for r in store.iter_results(rerun, columns=("case_id",))}
    assert asked == {f"c{i:04d}" for i in range(0, 600, 3)} and run.total == 400


def _sql(store: Store, sql: str, *params: object) -> None:
    conn = sqlite3.connect(store.path)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


async def test_a_resumed_rerun_asks_what_is_left_of_the_same_failing_cases(
    tmp_path: Path, store: Store
) -> None:
    path = _suite(tmp_path, 90)
    first = await Runner(store, prepare(load_suite(path)), ECHO, RunOptions()).run()
    plan = only_failing(store, first)
    rerun = await Runner(store, prepare(plan.suite), plan.model, plan.options).run()
    _sql(store, "DELETE FROM results WHERE run_id = ? AND case_id > 'c0030'", rerun)  # cut short
    _sql(store, "UPDATE runs SET status = 'interrupted' WHERE id = ?", rerun)
    resumed = plan_resume(store, rerun)
    assert resumed.missing == 19
    await resumed.runner(store).run()
    asked = {r.case_id for r in store.iter_results(rerun, columns=("case_id",))}
    assert asked == {f"c{i:04d}" for i in range(0, 90, 3)}


async def test_a_rerun_whose_source_run_changed_since_is_not_resumed_as_another(
    tmp_path: Path, store: Store
) -> None:
    path = _suite(tmp_path, 30)
    first = await Runner(store, prepare(load_suite(path)), ECHO, RunOptions()).run()
    plan = only_failing(store, first)
    rerun = await Runner(store, prepare(plan.suite), plan.model, plan.options).run()
    _sql(store, "UPDATE runs SET status = 'interrupted' WHERE id = ?", rerun)
    _sql(store, "UPDATE results SET status = 'pass' WHERE run_id = ? AND case_id = 'c0000'", first)
    with pytest.raises(EvaltuiError, match=f"it changed since.*--only-failing {first}"):
        plan_resume(store, rerun)
