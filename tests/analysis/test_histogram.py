"""Latencies counted in buckets: exact percentiles from the counts plus the rows of one bucket, and
approximate ones from the counts alone."""

from __future__ import annotations

import bisect
import math
import random

import pytest

from evaltui.analysis.histogram import Histogram, bounds, bucket, exact_spread
from evaltui.analysis.stats import percentile, spread


def reader(values: list[float], asked: list[tuple] | None = None):
    """What the store's `fresh_latencies` does, over a list: the values in [lo, hi), ascending."""
    ordered = sorted(values)

    def read(lo: float | None, hi: float | None, offset: int, limit: int) -> list[float]:
        if asked is not None:
            asked.append((lo, hi))
        start = 0 if lo is None else bisect.bisect_left(ordered, lo)
        end = len(ordered) if hi is None else bisect.bisect_left(ordered, hi)
        return ordered[start:end][offset : offset + limit]

    return read


def counted(values: list[float]) -> Histogram:
    histogram = Histogram()
    for value in values:
        histogram.add(value)
    return histogram


SHAPES = {
    "one": [42.0],
    "two": [3.0, 1.0],
    "ties": [100.0] * 50 + [7.0] * 3,
    "zeros": [0.0] * 10 + [0.5, 1e-9, 2.0],
    "uniform": [random.Random(1).uniform(0, 5000) for _ in range(1001)],
    "long tail": [random.Random(2).lognormvariate(5, 1.5) for _ in range(2000)],
    "whole ms": [float(random.Random(3).randint(80, 120)) for _ in range(999)],
    "extremes": [5e-324, 1e-300, 1.7e308, 1.0, 2.0, 3.0],
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_exact_spread_equals_sorting_every_value(shape: str) -> None:
    values = SHAPES[shape]
    assert exact_spread(counted(values), reader(values)) == spread(values)


def test_exact_spread_reads_only_the_buckets_around_each_percentile() -> None:
    values = [float(v) for v in range(1, 10_001)]
    asked: list[tuple] = []
    exact_spread(counted(values), reader(values, asked))
    assert len(asked) == 2  # p50 and p95, each one range
    for lo, hi in asked:
        assert lo is not None and hi is not None and (hi - lo) <= lo / 128


def test_rows_that_disagree_with_the_counts_are_read_whole_rather_than_give_a_wrong_value() -> None:
    values = [float(v) for v in range(100)]
    wrong = counted(values[:50] + [v + 0.5 for v in values[50:]])  # counted other values than the rows
    assert exact_spread(wrong, reader(values)).p50 == percentile(values, 50)


def test_a_bucket_holds_exactly_the_floats_within_its_bounds() -> None:
    rng = random.Random(4)
    xs = [0.0, -1.0, math.inf, 5e-324, 1.7976931348623157e308]
    xs += [rng.lognormvariate(0, 20) for _ in range(5000)]
    for x in xs:
        lo, hi = bounds(bucket(x))
        assert (lo is None or lo <= x) and (hi is None or x < hi), (x, lo, hi)
        if lo is not None:
            assert bucket(math.nextafter(lo, -math.inf)) < bucket(x)  # the bound is the bucket's least float
    ordered = sorted(xs)
    assert [bucket(x) for x in ordered] == sorted(bucket(x) for x in ordered)


def test_an_approximate_percentile_is_within_half_a_bucket() -> None:
    values = SHAPES["long tail"]
    histogram = counted(values)
    for q in (50, 95):
        true = percentile(values, q)
        assert histogram.approximate(q) == pytest.approx(true, rel=1 / 256)
    assert Histogram().approximate(50) is None
    assert counted([7.0]).approximate(95) == 7.0


def test_nan_is_not_counted() -> None:
    histogram = counted([1.0, math.nan, 2.0])
    assert (histogram.n, histogram.max) == (2, 2.0)
