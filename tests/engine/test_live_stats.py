"""Live stats: the rate and ETA follow what the run does now, so backoff and retries show in the
ETA instead of the fast start hiding them."""

from __future__ import annotations

import pytest

from evaltui.analysis.stats import percentile
from evaltui.engine.live_stats import RATE_WINDOW_S, SPREAD_EXACT_UNDER, StatsTracker
from evaltui.records import Result


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def rows(n: int, status: str = "pass") -> list[Result]:
    return [Result("run", "case", status=status, latency_ms=10.0) for _ in range(n)]


def test_a_slow_down_after_a_fast_start_raises_the_eta_to_the_pace_of_now() -> None:
    """The repro: 560 answers in 4 s, then the server goes and every case backs off for seconds
    before it errors (4 a second). Averaged over the session the ETA would say about a minute;
    the remaining 1,440 cases at 4 a second take six."""
    clock = Clock()
    tracker = StatsTracker(2000, clock=clock)
    for _ in range(4):
        clock.now += 1
        tracker.add(rows(140))
    fast = tracker.snapshot()
    assert fast.eta_s is not None and fast.eta_s < 15
    for _ in range(2 * int(RATE_WINDOW_S)):
        clock.now += 0.5
        tracker.add(rows(2, "error"))
    slow = tracker.snapshot()
    left = 2000 - slow.done
    assert slow.rate == 4.0
    assert slow.eta_s == left / 4.0


def test_a_run_where_nothing_finishes_for_a_whole_window_has_no_eta() -> None:
    clock = Clock()
    tracker = StatsTracker(100, clock=clock)
    clock.now += 1
    tracker.add(rows(10))
    clock.now += RATE_WINDOW_S + 1  # every request backing off
    stalled = tracker.snapshot()
    assert stalled.rate == 0.0 and stalled.eta_s is None


def test_early_in_a_run_the_rate_is_over_the_whole_run_so_far() -> None:
    clock = Clock()
    tracker = StatsTracker(100, clock=clock)
    clock.now += 2
    tracker.add(rows(10))
    clock.now += 3
    snap = tracker.snapshot()
    assert snap.rate == 2.0 and snap.eta_s == 45.0 and snap.elapsed_s == 5.0


def latencies(n: int, value: float) -> list[Result]:
    return [Result("run", "case", status="pass", latency_ms=value)] * n


def test_latency_percentiles_are_exact_in_small_runs_and_marked_approximate_past_them() -> None:
    """Past SPREAD_EXACT_UNDER answers the live latencies are only counted in buckets, so a long run
    holds no list of them: its percentiles are then within half a bucket and say they are not
    exact (the run's stored metrics are exact either way)."""
    tracker = StatsTracker(30_000, clock=Clock())
    tracker.add(latencies(100, 10.0))
    tracker.snapshot()
    tracker.add(latencies(200, 90.0))
    small = tracker.snapshot()
    assert small.p50_ms == 90.0 and small.latency_exact  # a small run: every snapshot exact
    tracker.add(latencies(SPREAD_EXACT_UNDER * 2, 10.0))
    taken = tracker.snapshot()
    assert taken.p95_ms == pytest.approx(10.0, rel=1 / 256) and not taken.latency_exact
    tracker.add(latencies(taken.done // 10, 500.0))
    now = tracker.snapshot()  # every answer counted at once, none lagging
    assert now.p95_ms == pytest.approx(500.0, rel=1 / 256) and now.p50_ms == pytest.approx(10.0, rel=1 / 256)
    assert len(tracker._latencies) < SPREAD_EXACT_UNDER and len(tracker._counted.counts) < 10


def test_the_live_cost_is_unknown_once_an_answer_has_no_price_as_the_run_s_end_says() -> None:
    """One answer priced, one not (a Python component returning a string): the progress line said
    `$0.0040` while the run went on and the summary then `cost unknown`. Errors and cached answers
    cost nothing anyone counts, so they leave a known cost known."""
    tracker = StatsTracker(4)
    tracker.add([Result("run", "a", status="pass", cost_usd=0.004)])
    tracker.add([Result("run", "b", status="error"), Result("run", "c", status="pass", cached=True)])
    assert tracker.snapshot().cost_usd == pytest.approx(0.004)
    tracker.add([Result("run", "d", status="fail", cost_usd=None)])
    assert tracker.snapshot().cost_usd is None


def test_percentiles_between_snapshots_are_those_of_every_latency_so_far() -> None:
    """Each snapshot orders only the latencies added since the one before and merges them in:
    the figures stay those of all of them, whatever order they came in."""
    tracker = StatsTracker(1000)
    seen: list[float] = []
    for batch in range(6):
        latencies = [float((i * 37 + batch * 11) % 101) for i in range(50 + 7 * batch)]
        tracker.add(
            [Result("run", f"c{batch}-{i}", status="pass", latency_ms=v) for i, v in enumerate(latencies)]
        )
        seen += latencies
        stats = tracker.snapshot()
        assert (stats.p50_ms, stats.p95_ms) == (percentile(seen, 50), percentile(seen, 95))
