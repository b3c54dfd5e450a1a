"""Building suites and results for the store tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evaltui.records import Result
from evaltui.store import Store
from evaltui.suites.models import Case, ModelSpec, Suite

DEMO = ModelSpec(provider="demo", model="keyword")
BIG_CASES = 100_000


def make_suite(n: int, name: str = "support-intent") -> Suite:
    cases = [
        Case(
            id=f"case-{i:06d}",
            input=f"ticket number {i}",
            expected="billing",
            tags=["even" if i % 2 == 0 else "odd"],
        )
        for i in range(n)
    ]
    return Suite(name=name, prompt="{{ input }}", cases=cases)


def result_row(run_id: str, case_id: str, status: str = "pass", **extra: Any) -> Result:
    """A result as the engine hands the writer one; `extra` replaces fields (JSON shapes as stored:
    scores and prompt as lists)."""
    row: dict[str, Any] = {
        "run_id": run_id, "case_id": case_id, "epoch": 0, "status": status,
        "output": f"answer to {case_id}", "prompt": [{"role": "user", "content": case_id}], "scores": [],
        "value": 1.0 if status == "pass" else 0.0, "latency_ms": 12.5, "tokens_in": 3, "tokens_out": 2,
        "cost_usd": 0.001, "attempts": 1, "cached": False,
        "error": "timed out" if status == "error" else None, "finished_at": "2026-01-01T00:00:00+00:00",
    }  # fmt: skip
    row.update(extra)
    return Result.from_row(row)


def status_of(i: int) -> str:
    return "error" if i % 50 == 0 else "fail" if i % 10 == 0 else "pass"


def write_big_run(path: Path, suite_name: str = "support-intent") -> str:
    """A completed run of BIG_CASES results written through the store's own writer (every tenth
    case fails, every fiftieth errors), as the TUI tests and bench/tui.py open it."""
    with Store(path) as store:
        suite_id = store.save_suite(make_suite(BIG_CASES, name=suite_name))
        run_id = store.create_run(suite_id=suite_id, model=DEMO, total=BIG_CASES)
        writer = store.writer()
        for i in range(BIG_CASES):
            writer.put(result_row(run_id, f"case-{i:06d}", status_of(i)))
        writer.close()
        store.refresh_counters(run_id)
        store.set_run_status(run_id, "completed")
    return run_id
