"""A finished run's metrics are read as the run kept them; only a live run (or one that kept none)
has them computed from its results (reports/metrics.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from evaltui.analysis.metrics import run_metrics
from evaltui.reports.metrics import metrics_of
from evaltui.store import Store
from tests.store.factories import DEMO, make_suite, result_row


def _run(store: Store) -> str:
    run_id = store.create_run(suite_id=store.save_suite(make_suite(4)), model=DEMO, total=4)
    writer = store.writer()
    for i, status in enumerate(("pass", "pass", "fail", "error")):
        writer.put(result_row(run_id, f"case-{i:06d}", status))
    writer.close()
    return run_id


def test_a_finished_run_is_shown_with_the_metrics_it_kept_not_read_again(tmp_path: Path) -> None:
    with Store(tmp_path / "kept.db") as store:
        run_id = _run(store)
        computed = run_metrics(store.iter_metric_rows(run_id))
        kept = dataclasses.replace(computed, mean_score=0.125)  # a figure only the kept summary holds
        store.finish_run(run_id, "completed", kept)
        assert metrics_of(store, run_id).mean_score == 0.125
        assert metrics_of(store, run_id).to_dict() == kept.to_dict()


def test_a_live_run_or_one_that_kept_nothing_is_computed_from_its_results(tmp_path: Path) -> None:
    with Store(tmp_path / "live.db") as store:
        run_id = _run(store)
        assert store.get_run(run_id).metrics is None  # still running
        assert metrics_of(store, run_id) == run_metrics(store.iter_metric_rows(run_id))
        assert (metrics_of(store, run_id).passed, metrics_of(store, run_id).errors) == (2, 1)
        store.finish_run(run_id, "interrupted", run_metrics(store.iter_metric_rows(run_id)))
        with store.conn() as conn:  # an older evaltui's partial summary
            conn.execute("UPDATE runs SET metrics = '{\"total\": 4}' WHERE id = ?", (run_id,))
        assert store.get_run(run_id).metrics is None
        assert metrics_of(store, run_id).passed == 2
