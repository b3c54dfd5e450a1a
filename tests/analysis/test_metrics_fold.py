"""A run's metrics folded case by case, in memory that does not grow with its cases, against a
straightforward recomputation that keeps every result."""

from __future__ import annotations

import math
import random
import tracemalloc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from evaltui.analysis.metrics import MetricsTally, run_metrics
from evaltui.analysis.stats import clustered_interval, spread, wilson_interval
from evaltui.records import Rate, Result, RunMetrics


def _results(seed: int, cases: int, epochs: int, *, clusters: int = 0) -> list[Result]:
    """Results of a run: partial values, errors, tags, some cases in clusters, uneven costs."""
    rng = random.Random(seed)
    rows = []
    for i in range(cases):
        tags = tuple(t for t in ("a", "b", "c") if rng.random() < 0.4)
        cluster = f"k{rng.randrange(clusters)}" if clusters and rng.random() < 0.5 else None
        skill = rng.random()
        for epoch in range(epochs):
            roll = rng.random()
            status = "error" if roll < 0.05 else "pass" if roll < 0.05 + 0.95 * skill else "fail"
            value = None if status == "error" else rng.choice([None, rng.random()])
            rows.append(
                Result(
                    "run",
                    f"case{i:05d}",
                    epoch=epoch,
                    status=status,
                    value=value,
                    latency_ms=rng.uniform(5, 500),
                    tokens_in=rng.randrange(100),
                    tokens_out=rng.randrange(20),
                    cost_usd=rng.random() / 1000,
                    cached=rng.random() < 0.1,
                    tags=tags,
                    cluster=cluster,
                )
            )
    return rows


def _recomputed(rows: Iterable[Result]) -> RunMetrics:
    """The metrics by the book: every result kept, grouped by case, each case's epochs averaged."""
    by_case: dict[str, list[Result]] = defaultdict(list)
    for row in rows:
        by_case[row.case_id].append(row)
    everything = [r for results in by_case.values() for r in results]
    epochs = max(len(results) for results in by_case.values())
    clustered = epochs > 1 or any(results[0].cluster for results in by_case.values())

    def rate(case_ids: list[str]) -> Rate:
        scored = [r for c in case_ids for r in by_case[c] if r.status != "error"]
        passed, n = sum(r.status == "pass" for r in scored), len(scored)
        if not n:
            return Rate(0, 0, None, 0.0, 1.0, "clustered" if clustered else "wilson")
        if not clustered:
            return Rate(n, passed, passed / n, *wilson_interval(passed, n), "wilson")
        groups: dict[str, list[float]] = defaultdict(list)
        for c in case_ids:
            verdicts = [r.status == "pass" for r in by_case[c] if r.status != "error"]
            if verdicts:
                groups[by_case[c][0].cluster or f"case:{c}"].append(sum(verdicts) / len(verdicts))
        mean, lo, hi, se = clustered_interval(groups)
        return Rate(n, passed, mean, lo, hi, "clustered", se)

    case_values = []
    multi = flaky = 0
    for results in by_case.values():
        scored = [r for r in results if r.status != "error"]
        if scored:
            values = [r.value if r.value is not None else float(r.status == "pass") for r in scored]
            case_values.append(sum(values) / len(values))
        if len(scored) > 1:
            multi += 1
            flaky += len({r.status for r in scored}) > 1
    counts = {s: sum(r.status == s for r in everything) for s in ("pass", "fail", "error")}
    answered = [r for r in everything if r.status != "error"]
    tags = sorted({t for results in by_case.values() for t in results[0].tags})
    total = len(everything)
    return RunMetrics(
        total=total,
        passed=counts["pass"],
        failed=counts["fail"],
        errors=counts["error"],
        rate=rate(list(by_case)),
        pass_rate_all=counts["pass"] / total,
        mean_score=math.fsum(case_values) / len(case_values) if case_values else None,
        latency_ms=spread([r.latency_ms for r in answered if not r.cached and r.latency_ms is not None]),
        tokens_in=sum(r.tokens_in or 0 for r in everything if not r.cached),
        tokens_out=sum(r.tokens_out or 0 for r in everything if not r.cached),
        cost_usd=math.fsum(r.cost_usd or 0.0 for r in everything if not r.cached),
        cases=len(by_case),
        epochs=epochs,
        flaky_share=flaky / multi if multi else None,
        by_tag=tuple(
            (t, rate([c for c, results in by_case.items() if t in results[0].tags]))  # type: ignore[misc]
            for t in tags
        ),
        cached=sum(r.cached for r in everything),
    )


def _same(a: Any, b: Any) -> bool:
    """Equal, floats to 1e-12 relative (sums of case means may round differently by order)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "__dataclass_fields__") and type(a) is type(b):
        return all(_same(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__)
    return bool(a == b)


def _as_expected(metrics: RunMetrics) -> RunMetrics:
    """The metrics with by_tag as (tag, rate) pairs, as `_recomputed` builds them."""
    import dataclasses

    return dataclasses.replace(metrics, by_tag=tuple((t.tag, t.rate) for t in metrics.by_tag))  # type: ignore[misc]


def _arriving(rows: list[Result], window: int, seed: int) -> Iterator[Result]:
    """Rows in the order a run with `window` requests in flight may finish them."""
    rng = random.Random(seed)
    pending: list[Result] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= window:
            yield pending.pop(rng.randrange(len(pending)))
    rng.shuffle(pending)
    yield from pending


@pytest.mark.parametrize(("epochs", "clusters"), [(1, 0), (1, 7), (3, 0), (3, 40), (5, 3)])
def test_each_way_of_folding_gives_the_metrics_recomputed_from_all_results(
    epochs: int, clusters: int
) -> None:
    rows = _results(epochs * 10 + clusters, 600, epochs, clusters=clusters)
    expected = _recomputed(rows)
    in_any_order = random.Random(1).sample(rows, len(rows))
    folds = {"any order": run_metrics(in_any_order)}
    by_case = MetricsTally(in_case_order=True)
    live = MetricsTally(epochs=epochs)
    for row in rows:
        by_case.add(row)
    for row in _arriving(rows, 16, epochs):
        live.add(row)
    folds["case by case"] = by_case.metrics()
    folds["live"] = live.metrics()
    for how, metrics in folds.items():
        assert _same(_as_expected(metrics), expected), (how, metrics, expected)
        assert metrics.rate.method == ("clustered" if epochs > 1 or clusters else "wilson")


def test_an_interrupted_live_run_counts_its_cases_under_way_as_they_stand() -> None:
    rows = _results(9, 200, 4, clusters=5)
    finished = rows[: len(rows) - 7]  # the last case has one epoch of four, the one before it two
    live = MetricsTally(epochs=4)
    for row in _arriving(finished, 8, 2):
        live.add(row)
    assert _same(_as_expected(live.metrics()), _recomputed(finished))


def _peak(fold: MetricsTally, cases: int, epochs: int) -> int:
    """Peak bytes traced while `fold` takes `cases` cases of `epochs` epochs, case by case."""
    statuses = ("pass", "fail", "pass", "error", "pass")
    tracemalloc.start()
    try:
        for i in range(cases):
            case_id = f"case-{i}"
            for epoch in range(epochs):
                status = statuses[(i + epoch * i // 3) % 5]
                fold.add(Result("run", case_id, epoch=epoch, status=status, tags=("t",), cached=True))
        fold.metrics()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("how", ["live", "case by case"])
def test_a_multi_epoch_fold_keeps_nothing_per_case(how: str) -> None:
    def fold() -> MetricsTally:
        return MetricsTally(epochs=3) if how == "live" else MetricsTally(in_case_order=True)

    small, large = _peak(fold(), 2_000, 3), _peak(fold(), 40_000, 3)
    # 38,000 more cases kept at ~220 bytes each would be 8 MB more
    assert large < small + 400_000, (small, large)
