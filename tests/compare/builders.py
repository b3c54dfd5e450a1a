"""Runs with known outcomes, written through the store's own writer (small) or in one
executemany (100,000 cases, for the benchmark)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaltui.analysis.metrics import run_metrics
from evaltui.records import Result
from evaltui.store import Store
from evaltui.suites.models import Case, ModelSpec, Suite


def make_suite(case_ids: Sequence[str], name: str = "cmp-suite") -> Suite:
    cases = [Case(id=cid, input=f"question {cid}", expected="yes") for cid in case_ids]
    return Suite(name=name, prompt="{{ input }}", cases=cases)


def result(run_id: str, case_id: str, status: str, output: str = "", epoch: int = 0, **extra: Any) -> Result:
    row: dict[str, Any] = {
        "run_id": run_id, "case_id": case_id, "epoch": epoch, "status": status,
        "output": output or f"answer {case_id}", "prompt": [], "value": 1.0 if status == "pass" else 0.0,
        "scores": [] if status != "fail" else [
            {"name": "equals", "passed": False, "value": 0.0, "reason": f"expected 'yes', got {output!r}"}
        ],
        "latency_ms": 100.0, "tokens_in": 10, "tokens_out": 5, "cost_usd": 0.001, "attempts": 1,
        "cached": False, "error": "HTTP 503 after 4 attempts" if status == "error" else None,
        "finished_at": "2026-01-01T00:00:00+00:00",
    }  # fmt: skip
    row.update(extra)
    return Result.from_row(row)


def make_run(
    store: Store,
    suite: Suite,
    outcomes: dict[str, str | list[str]],
    *,
    model: str = "keyword",
    label: str | None = None,
    outputs: dict[str, str] | None = None,
    latency_ms: float = 100.0,
) -> str:
    """A completed run: `outcomes` maps case id to a status, or to a list of statuses (epochs)."""
    suite_id = store.save_suite(suite)
    epochs = max((len(v) if isinstance(v, list) else 1 for v in outcomes.values()), default=1)
    spec = ModelSpec(provider="demo", model=model)
    run_id = store.create_run(suite_id=suite_id, model=spec, total=len(outcomes), label=label, epochs=epochs)
    writer = store.writer()
    for case_id, statuses in outcomes.items():
        for epoch, status in enumerate(statuses if isinstance(statuses, list) else [statuses]):
            text = (outputs or {}).get(case_id, "")
            writer.put(result(run_id, case_id, status, text, epoch, latency_ms=latency_ms))
    writer.close()
    store.refresh_counters(run_id)
    store.set_run_status(run_id, "completed")
    return run_id


def big_runs(path: Path, n: int, output_of: Any) -> tuple[str, str]:
    """Two runs of one n-case suite; `output_of(i, side)` -> (status, output)."""
    with Store(path) as store:
        suite_id = store.save_suite(make_suite([f"case-{i:06d}" for i in range(n)], name="big"))
        spec = ModelSpec(provider="demo", model="keyword")
        run_ids = [store.create_run(suite_id=suite_id, model=spec, total=n) for _ in range(2)]
    conn = sqlite3.connect(path)
    sql = (
        "INSERT INTO results (run_id, case_id, epoch, position, status, output, prompt, scores, "
        "value, latency_ms, tokens_in, tokens_out, cost_usd) "
        "VALUES (?, ?, 0, ?, ?, ?, '[]', '[]', ?, ?, 10, 5, 0.001)"
    )
    with conn:
        for side, run_id in enumerate(run_ids):
            rows = ((run_id, f"case-{i:06d}", i, *_row(output_of(i, side)), 50.0 + i % 100) for i in range(n))
            conn.executemany(sql, rows)
    conn.close()
    with Store(path) as store:  # finished as the engine finishes a run: counters, metrics, status
        for run_id in run_ids:
            store.finish_run(run_id, "completed", run_metrics(store.iter_metric_rows(run_id)))
    return run_ids[0], run_ids[1]


def _row(pair: tuple[str, str]) -> tuple[str, str, float]:
    status, output = pair
    return status, output, 1.0 if status == "pass" else 0.0
