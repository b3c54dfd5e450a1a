"""The Run header shows a finished run's figures from the run row at once: the latency percentiles,
interval and cost the engine kept when the run finished, before any metrics are recomputed."""

from __future__ import annotations

from evaltui.store import Store
from evaltui.tui.widgets.run_header import Figures


def test_a_finished_runs_kept_latency_and_interval_are_shown_from_the_run_row(db_path, echo_run: str) -> None:
    with Store(db_path) as store:
        run = store.get_run(echo_run)
    kept = run["metrics"]
    figures = Figures.from_run(run)
    assert (figures.p50, figures.p95) == (kept["latency_ms"]["p50"], kept["latency_ms"]["p95"])
    assert figures.p50 is not None
    assert (figures.lo, figures.hi) == (kept["rate"]["lo"], kept["rate"]["hi"])
