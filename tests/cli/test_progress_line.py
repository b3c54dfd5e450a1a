"""The CLI's progress line says the endpoint's concurrency now, and when a rate limit holds it."""

from __future__ import annotations

from evaltui.console import progress_line
from evaltui.engine import LiveStats


def test_the_progress_line_shows_concurrency_and_a_rate_limit_wait() -> None:
    stats = LiveStats(total=10, done=4, passed=4, concurrency=6, waiting_s=2.6, rate_limited=3)
    assert "concurrency 6  rate-limited, waiting 3s" in progress_line("m", stats).plain
    after = LiveStats(total=10, done=5, passed=5, concurrency=7, rate_limited=3)
    assert "concurrency 7  3 rate-limited" in progress_line("m", after).plain
    assert "rate-limited" not in progress_line("m", LiveStats(total=10, concurrency=16)).plain


def test_approximate_live_percentiles_are_marked_as_such() -> None:
    exact = LiveStats(total=10, done=5, p50_ms=120.0, p95_ms=1500.0)
    assert "p50 120ms p95 1.50s" in progress_line("m", exact).plain
    counted = LiveStats(total=10, done=5, p50_ms=120.0, p95_ms=1500.0, latency_exact=False)
    assert "p50 ~120ms p95 ~1.50s" in progress_line("m", counted).plain


def test_the_runs_list_gives_a_going_run_with_epochs_no_interval() -> None:
    """`evaltui runs` shows a run going on from its counters, counts of results: with several epochs
    no Wilson interval over them (a stored, finished rate is shown as kept)."""
    from evaltui.console import run_cells
    from evaltui.records import RunRecord

    going = RunRecord(id="r", status="running", total=30, epochs=3, done=6, passed=5, failed=1)
    assert "[" not in run_cells(going)["pass [95% CI]"].plain
    single = RunRecord(id="r", status="running", total=10, done=6, passed=5, failed=1)
    assert "[" in run_cells(single)["pass [95% CI]"].plain
