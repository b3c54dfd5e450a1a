"""Deterministic databases for snapshots and screenshots: real runs by the real engine on the
offline demo models, then frozen (fixed run ids, times and latencies) so two builds look alike."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from evaltui.analysis.metrics import run_metrics
from evaltui.engine import Runner, RunOptions, prepare
from evaltui.store import Store
from evaltui.suites import load_suite, parse_model_spec
from evaltui.suites.models import ModelSpec

FIXED_RUN_ID = "20260101-120000-abc123"
FIXED_TIME = "2026-01-01T12:00:00+00:00"


def run_suite(
    db_path: Path, suite_file: Path, model: ModelSpec | None = None, label: str | None = None
) -> str:
    """A real run through the real engine (offline demo model), finished before the app opens."""
    suite = load_suite(suite_file)
    store = Store(db_path)
    try:
        options = RunOptions(concurrency=4, label=label)
        runner = Runner(store, prepare(suite), model or suite.models[0], options)
        return asyncio.run(runner.run())
    finally:
        store.close()


def freeze_run(db_path: Path, run_id: str, new_id: str = FIXED_RUN_ID, when: str = FIXED_TIME) -> str:
    """Fixed id, times and latencies, so snapshots do not change from one test run to the next."""
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("UPDATE runs SET id = ?, started_at = ?, finished_at = ? WHERE id = ?",
                     (new_id, when, when, run_id))  # fmt: skip
        conn.execute("UPDATE results SET run_id = ?, finished_at = ?, latency_ms = 10 + position "
                     "WHERE run_id = ?", (new_id, when, run_id))  # fmt: skip
        conn.execute("UPDATE suites SET created_at = ?", (FIXED_TIME,))
    conn.close()
    with Store(db_path) as store:  # the metrics kept on the run follow the frozen latencies
        store.set_run_metrics(new_id, run_metrics(store.iter_metric_rows(new_id)))
    return new_id


def demo_database(db_path: Path, suite_files: list[Path], models: tuple[str, ...]) -> list[str]:
    """Each suite run on each demo model, one minute apart from 2026-01-01 12:00, ids in that order."""
    run_ids = []
    for suite_file in suite_files:
        for model in models:
            minute = len(run_ids)
            run_id = run_suite(db_path, suite_file, parse_model_spec(model), label="demo")
            new_id = f"20260101-12{minute:02d}00-{minute:06x}"
            run_ids.append(freeze_run(db_path, run_id, new_id, f"2026-01-01T12:{minute:02d}:00+00:00"))
    return run_ids
