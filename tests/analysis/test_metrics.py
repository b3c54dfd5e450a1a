"""Run metrics reduced from a stream of results."""

from __future__ import annotations

import dataclasses
import json
import math
import random
from collections.abc import Iterator
from typing import Any

import pytest

from evaltui.analysis.metrics import (
    KEPT_LATENCIES,
    ExactSum,
    MetricsTally,
    fresh_latency,
    run_metrics,
    stored_run_metrics,
)
from evaltui.analysis.stats import clustered_interval, percentile, wilson_interval
from evaltui.records import Result


def _row(case_id: str, status: str, **extra: Any) -> Result:
    fields: dict[str, Any] = {
        "epoch": 0,
        "status": status,
        "value": {"pass": 1.0, "fail": 0.0, "error": None}[status],
        "latency_ms": 100.0,
        "tokens_in": 10,
        "tokens_out": 2,
        "cost_usd": 0.001,
    }
    fields.update(extra)
    fields["tags"] = tuple(fields.get("tags", ()))
    return Result("run", case_id, **fields)


def _generated_run(n: int) -> Iterator[Result]:
    """n cases: every 5th errors, of the rest every 3rd fails; tags by parity."""
    for i in range(n):
        status = "error" if i % 5 == 4 else ("fail" if i % 3 == 0 else "pass")
        yield _row(f"c{i}", status, latency_ms=float(i), tags=["even" if i % 2 == 0 else "odd"])


def test_metrics_of_a_generated_run_count_rate_latency_and_tokens() -> None:
    m = run_metrics(_generated_run(1000))
    statuses = ["error" if i % 5 == 4 else ("fail" if i % 3 == 0 else "pass") for i in range(1000)]
    passed, failed = statuses.count("pass"), statuses.count("fail")
    assert (m.total, m.passed, m.failed, m.errors) == (1000, passed, failed, 200)
    assert m.rate.pass_rate == pytest.approx(passed / (passed + failed))
    assert m.rate.method == "wilson"
    assert (m.rate.lo, m.rate.hi) == pytest.approx(wilson_interval(passed, passed + failed))
    assert m.pass_rate_all == pytest.approx(passed / 1000)
    answered = [float(i) for i in range(1000) if statuses[i] != "error"]
    assert m.latency_ms.p50 == pytest.approx(percentile(answered, 50))
    assert m.latency_ms.p95 == pytest.approx(percentile(answered, 95))
    assert m.latency_ms.max == max(answered)
    assert (m.tokens_in, m.tokens_out) == (10_000, 2_000)
    assert m.cost_usd == pytest.approx(1.0)
    assert m.epochs == 1
    assert m.flaky_share is None


def test_metrics_break_the_pass_rate_down_by_tag() -> None:
    m = run_metrics(_generated_run(100))
    tags = {t.tag: t.rate for t in m.by_tag}
    assert set(tags) == {"even", "odd"}
    even = [i for i in range(0, 100, 2) if i % 5 != 4]
    even_passed = sum(1 for i in even if i % 3 != 0)
    assert (tags["even"].n, tags["even"].passed) == (len(even), even_passed)
    assert tags["even"].pass_rate == pytest.approx(even_passed / len(even))


def test_mean_score_averages_partial_values() -> None:
    m = run_metrics([_row("a", "pass", value=0.9), _row("b", "fail", value=0.4), _row("c", "error")])
    assert m.mean_score == pytest.approx(0.65)


def test_unknown_cost_of_an_answered_result_makes_the_run_cost_unknown() -> None:
    m = run_metrics([_row("a", "pass"), _row("b", "pass", cost_usd=None)])
    assert m.cost_usd is None


def test_an_error_without_cost_leaves_the_run_cost_known() -> None:
    m = run_metrics([_row("a", "pass", cost_usd=0.5), _row("b", "error", cost_usd=None)])
    assert m.cost_usd == pytest.approx(0.5)


def test_zero_cost_is_reported_as_zero_not_unknown() -> None:
    assert run_metrics([_row("a", "pass", cost_usd=0.0)]).cost_usd == 0.0


def test_clustered_cases_use_clustered_interval() -> None:
    rows = [
        _row("a1", "pass", cluster="A"),
        _row("a2", "pass", cluster="A"),
        _row("a3", "fail", cluster="A"),
        _row("b1", "fail", cluster="B"),
        _row("b2", "fail", cluster="B"),
        _row("c1", "pass", cluster="C"),
    ]
    m = run_metrics(rows)
    mean, lo, hi, se = clustered_interval({"A": [1, 1, 0], "B": [0, 0], "C": [1]})
    assert m.rate.method == "clustered"
    assert (m.rate.pass_rate, m.rate.lo, m.rate.hi, m.rate.se) == pytest.approx((mean, lo, hi, se))


def test_epochs_are_averaged_per_case_and_disagreeing_cases_are_flaky() -> None:
    rows = [
        _row("steady", "pass", epoch=0),
        _row("steady", "pass", epoch=1),
        _row("shaky", "pass", epoch=0),
        _row("shaky", "fail", epoch=1),
        _row("broken", "fail", epoch=0),
        _row("broken", "fail", epoch=1),
        _row("down", "error", epoch=0),
        _row("down", "error", epoch=1),
    ]
    m = run_metrics(iter(rows))
    assert m.epochs == 2
    assert (m.passed, m.failed, m.errors) == (3, 3, 2)
    assert m.flaky_share == pytest.approx(1 / 3)
    assert m.rate.method == "clustered"
    mean, lo, hi, se = clustered_interval({"steady": [1.0], "shaky": [0.5], "broken": [0.0]})
    assert (m.rate.pass_rate, m.rate.lo, m.rate.hi, m.rate.se) == pytest.approx((mean, lo, hi, se))


def test_a_run_of_only_errors_has_no_pass_rate() -> None:
    m = run_metrics([_row("a", "error"), _row("b", "error")])
    assert m.rate.pass_rate is None
    assert m.pass_rate_all == 0.0
    assert m.mean_score is None
    assert m.latency_ms.p50 is None


def test_metrics_to_dict_is_json_with_nan_as_null() -> None:
    m = run_metrics([_row("a", "pass", cluster="only"), _row("b", "fail", cluster="only")])
    data = json.loads(json.dumps(m.to_dict(), allow_nan=False))
    assert data["rate"]["se"] is None
    assert data["passed"] == 1
    assert data["latency_ms"]["p95"] == 100.0


def test_unknown_status_is_rejected() -> None:
    with pytest.raises(ValueError, match="status"):
        run_metrics([dataclasses.replace(_row("a", "pass"), status="skipped")])


def test_a_run_whose_every_case_errored_has_an_unknown_cost_not_zero() -> None:
    m = run_metrics([_row("a", "error", cost_usd=None), _row("b", "error", cost_usd=None)])
    assert m.cost_usd is None


def test_cached_answers_are_counted_but_not_in_the_latency_percentiles() -> None:
    rows = [_row(f"f{i}", "pass", latency_ms=float(i)) for i in range(1, 11)]
    rows += [_row(f"c{i}", "pass", latency_ms=5000.0, cached=True) for i in range(30)]
    m = run_metrics(rows)
    assert m.cached == 30 and m.passed == 40
    assert m.latency_ms.n == 10 and m.latency_ms.max == 10.0
    assert m.latency_ms.p50 == pytest.approx(percentile([float(i) for i in range(1, 11)], 50))


def test_live_figures_and_stored_metrics_count_the_same_latencies() -> None:
    """The engine's live percentiles and the metrics kept at the end read one definition of a
    fresh answer: neither counts a cached answer or an errored case's latency."""
    from evaltui.engine.live_stats import StatsTracker

    rows = [_row(f"f{i}", "pass", latency_ms=float(i)) for i in range(1, 21)]
    rows += [_row("cached", "pass", latency_ms=9000.0, cached=True)]
    rows += [_row("errored", "error", latency_ms=8000.0)]
    tracker = StatsTracker(len(rows))
    tracker.add(rows)
    live, stored = tracker.snapshot(), run_metrics(rows)
    assert (live.p50_ms, live.p95_ms) == (stored.latency_ms.p50, stored.latency_ms.p95)
    assert live.cached == stored.cached == 1
    assert stored.latency_ms.max == 20.0


def test_a_cached_answer_spends_nothing_live_or_stored() -> None:
    """A cached answer was paid for when first asked: its tokens and cost stay on its row but are
    not spent again, in the live figures and the metrics alike (`spent`, one definition)."""
    from evaltui.engine.live_stats import StatsTracker

    rows = [_row("asked", "pass", cost_usd=0.25, tokens_in=100, tokens_out=20)]
    rows += [_row(f"c{i}", "pass", cost_usd=0.5, tokens_in=7, tokens_out=3, cached=True) for i in range(3)]
    tracker = StatsTracker(len(rows))
    tracker.add(rows)
    live, stored = tracker.snapshot(), run_metrics(rows)
    for figures in (live, stored):
        assert (figures.cost_usd, figures.tokens_in, figures.tokens_out) == (0.25, 100, 20)


def test_an_all_cached_run_spent_nothing_known_and_an_all_errored_one_unknown() -> None:
    from evaltui.engine.live_stats import StatsTracker

    cached = [_row("a", "pass", cached=True, cost_usd=None), _row("b", "fail", cached=True)]
    errored = [_row("a", "error", cost_usd=None)]
    for rows, cost in ((cached, 0.0), (errored, None), (cached + errored, 0.0)):
        tracker = StatsTracker(len(rows))
        tracker.add(rows)
        assert run_metrics(rows).cost_usd == cost
        assert tracker.snapshot().cost_usd == cost


@pytest.mark.parametrize("seed", range(6))
def test_costs_are_summed_exactly_without_keeping_them(seed: int) -> None:
    """ExactSum folds the costs it is given into a few floats, yet its sum is math.fsum of them all,
    to the bit, whatever their order, signs and magnitudes, across many folds."""
    rng = random.Random(seed)
    costs = [
        rng.choice(
            [rng.random() * 1e-3, 0.1, 1e16, -1e16, rng.uniform(-1, 1) * 10.0 ** rng.randint(-300, 290)]
        )
        for _ in range(rng.choice([1, 100, 20_000]))
    ]
    total = ExactSum()
    for cost in costs:
        total.add(cost)
    assert len(total) == len(costs)
    assert total.value() == math.fsum(costs)
    assert len(total._parts) < 50  # what it keeps does not grow with the costs


def test_an_exact_sum_of_nothing_or_of_infinities_is_what_fsum_gives() -> None:
    assert ExactSum().value() == 0.0 and len(ExactSum()) == 0
    for special in ([math.inf, 1.0], [1.0, math.nan, math.inf], [-math.inf] * 5000):
        total = ExactSum()
        for x in special:
            total.add(x)
        assert str(total.value()) == str(math.fsum(special))


@pytest.mark.parametrize("kept", [KEPT_LATENCIES, 7])
def test_a_tally_of_the_rows_in_the_store_gives_the_metrics_of_one_that_keeps_every_latency(
    kept: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `kept` latencies (7: most of them) a tally of a stored run counts them in buckets and
    reads their exact percentiles back from the store (here a list doing what its query does)."""
    monkeypatch.setattr("evaltui.analysis.metrics.KEPT_LATENCIES", kept)
    rows = [*_generated_run(500), _row("cached", "pass", cached=True, latency_ms=1e6)]
    values = sorted(float(r.latency_ms) for r in rows if fresh_latency(r) is not None)

    def read(lo: float | None, hi: float | None, offset: int, limit: int) -> list[float]:
        inside = [v for v in values if (lo is None or v >= lo) and (hi is None or v < hi)]
        return inside[offset : offset + limit]

    assert stored_run_metrics(rows, read) == run_metrics(rows)
    tally = MetricsTally(latencies_in_store=True)
    for row in rows:
        tally.add(row)
    if kept == 7:
        with pytest.raises(ValueError, match="read from the store"):
            tally.metrics()
    else:
        assert tally.metrics() == run_metrics(rows)  # every latency kept: nothing to read back


def test_a_one_epoch_tally_keeps_no_value_per_case_and_gives_the_same_mean_score() -> None:
    """Partial scores over more cases than one fold of ExactSum: the one-epoch tally's mean score
    is the per-case tally's (`run_metrics`), to the bit."""
    rng = random.Random(5)
    rows = [_row(f"c{i}", "pass" if rng.random() < 0.7 else "fail", value=rng.random()) for i in range(9000)]
    tally = MetricsTally(epochs=1)
    for row in rows:
        tally.add(row)
    assert tally.metrics() == run_metrics(rows)
