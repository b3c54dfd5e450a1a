"""Interval maths checked against reference tables and hand computations."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from evaltui.analysis.stats import (
    clustered_from_counts,
    clustered_from_totals,
    clustered_interval,
    mcnemar_exact,
    paired_difference,
    percentile,
    spread,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("passed", "n", "lo", "hi"),
    [
        # Wilson score interval, 95%, as tabulated by common calculators (e.g. epitools, statsmodels)
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (81, 100, 0.7222, 0.8750),
        (1, 2, 0.0945, 0.9055),
    ],
)
def test_wilson_interval_matches_reference_values(passed: int, n: int, lo: float, hi: float) -> None:
    got_lo, got_hi = wilson_interval(passed, n)
    assert got_lo == pytest.approx(lo, abs=5e-4)
    assert got_hi == pytest.approx(hi, abs=5e-4)


def test_wilson_interval_with_no_trials_knows_nothing() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_interval_rejects_more_passes_than_trials() -> None:
    with pytest.raises(ValueError, match="passed"):
        wilson_interval(3, 2)


def test_clustered_interval_matches_hand_worked_example() -> None:
    # n=6, mean=0.5; residual sums per cluster: A 2-1.5=0.5, B 0-1=-1, C 1-0.5=0.5;
    # sum of squares 1.5, times C/(C-1)=3/2 -> 2.25, sqrt 1.5, over n -> SE 0.25.
    mean, lo, hi, se = clustered_interval({"A": [1, 1, 0], "B": [0, 0], "C": [1]}, z=1.96)
    assert mean == pytest.approx(0.5)
    assert se == pytest.approx(0.25)
    assert lo == pytest.approx(0.01)
    assert hi == pytest.approx(0.99)


def test_clustered_interval_of_singleton_clusters_is_the_textbook_standard_error() -> None:
    values = [1, 0, 1, 1, 0, 1, 1, 1]
    mean, _, _, se = clustered_interval({str(i): [v] for i, v in enumerate(values)})
    m = sum(values) / len(values)
    sample_var = sum((v - m) ** 2 for v in values) / (len(values) - 1)
    assert mean == pytest.approx(m)
    assert se == pytest.approx(math.sqrt(sample_var / len(values)))


def test_clustered_interval_is_wider_when_clusters_move_together() -> None:
    together = {"a": [1, 1, 1, 1], "b": [0, 0, 0, 0], "c": [1, 1, 1, 1], "d": [0, 0, 0, 0]}
    independent = {str(i): [v] for i, v in enumerate([1, 0] * 8)}
    assert clustered_interval(together)[3] > clustered_interval(independent)[3]


def test_clustered_interval_with_one_cluster_has_unknown_spread() -> None:
    mean, lo, hi, se = clustered_interval({"only": [1, 0, 1]})
    assert mean == pytest.approx(2 / 3)
    assert (lo, hi) == (0.0, 1.0)
    assert math.isnan(se)


def test_paired_difference_matches_hand_computation() -> None:
    # a=5 both pass, b=1 A-only, c=6 B-only, d=8 neither; n=20, diff = (6-1)/20 = 0.25;
    # s^2 = (7 - 25/20) / 19 = 0.3026316; SE = sqrt(s^2 / 20) = 0.1230105.
    pairs = [(True, True)] * 5 + [(True, False)] + [(False, True)] * 6 + [(False, False)] * 8
    d = paired_difference(pairs, z=1.96)
    assert (d.n, d.b, d.c) == (20, 1, 6)
    assert d.mean_diff == pytest.approx(0.25)
    assert d.se == pytest.approx(0.1230105, abs=1e-7)
    assert d.lo == pytest.approx(0.25 - 1.96 * 0.1230105, abs=1e-6)
    assert d.hi == pytest.approx(0.25 + 1.96 * 0.1230105, abs=1e-6)
    assert d.mcnemar_p == pytest.approx(0.125)


def test_paired_difference_of_identical_runs_is_zero_with_p_one() -> None:
    d = paired_difference([(True, True), (False, False), (True, True)])
    assert (d.mean_diff, d.se, d.b, d.c, d.mcnemar_p) == (0.0, 0.0, 0, 0, 1.0)


def test_paired_difference_of_nothing_is_unknown() -> None:
    d = paired_difference([])
    assert (d.n, d.lo, d.hi, d.mcnemar_p) == (0, -1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("b", "c", "p"),
    [
        (1, 6, 0.125),  # 2 * (1 + 7) / 2^7
        (6, 1, 0.125),
        (0, 0, 1.0),
        (3, 3, 1.0),
        (0, 5, 0.0625),  # 2 / 2^5
        (2, 8, 0.109375),  # 2 * (1 + 10 + 45) / 1024
    ],
)
def test_mcnemar_exact_matches_hand_computed_values(b: int, c: int, p: float) -> None:
    assert mcnemar_exact(b, c) == pytest.approx(p)


def _exact_mcnemar(b: int, c: int) -> Fraction:
    """The same tail in exact integer arithmetic: 2 * sum_{i<=k} C(m, i) / 2^m."""
    m, k = b + c, min(b, c)
    term = total = 1
    for i in range(1, k + 1):
        term = term * (m - i + 1) // i
        total += term
    return min(Fraction(1), Fraction(2 * total, 2**m))


@pytest.mark.parametrize(("b", "c"), [(4900, 5100), (10, 1000), (150_000, 151_000)])
def test_mcnemar_exact_stays_accurate_for_large_counts(b: int, c: int) -> None:
    got = mcnemar_exact(b, c)
    assert math.isfinite(got)
    if b + c <= 10_000:
        assert got == pytest.approx(float(_exact_mcnemar(b, c)), rel=1e-9)
    else:  # normal approximation: sd = sqrt(301000) / 2 = 274.3, z = -499.5 / 274.3 = -1.82 -> p = 0.069
        assert 0.06 < got < 0.08


def test_mcnemar_exact_large_balanced_counts_give_one() -> None:
    assert mcnemar_exact(500_000, 500_000) == 1.0


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        # numpy.percentile(values, q) with the default linear method, worked by hand
        ([1, 2, 3, 4], 50, 2.5),
        ([1, 2, 3, 4], 95, 3.85),  # rank 3 * 0.95 = 2.85 -> 3 + 0.85 * (4 - 3)
        ([15, 20, 35, 40, 50], 40, 29.0),  # rank 1.6 -> 20 + 0.6 * 15
        ([50, 15, 40, 35, 20], 0, 15.0),
        ([50, 15, 40, 35, 20], 100, 50.0),
        ([7], 95, 7.0),
    ],
)
def test_percentile_matches_numpy_linear(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_rejects_empty_input_and_bad_q() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match=r"0\.\.100"):
        percentile([1], 101)


def test_spread_streams_a_generator_and_skips_unknown_values() -> None:
    s = spread(v if v % 10 else None for v in range(1, 101))
    assert s.n == 90
    assert s.max == 99.0
    assert s.p50 == pytest.approx(percentile([v for v in range(1, 101) if v % 10], 50))
    assert s.p95 == pytest.approx(percentile([v for v in range(1, 101) if v % 10], 95))


def test_spread_of_nothing_is_all_unknown() -> None:
    assert (spread([]).p50, spread([]).p95, spread([]).max) == (None, None, None)


def test_clusters_given_with_their_multiplicity_give_the_interval_of_them_all_listed() -> None:
    """A run's unclustered cases come as (share, 1, how many cases): the same interval as each
    case listed once, and the mean exact whatever the order (fsum, each multiple taken exactly)."""
    rng = random.Random(3)
    units = [(rng.randrange(4) / 3, 1, rng.randrange(1, 5000)) for _ in range(6)] + [(2.5, 4, 1), (0.0, 3, 2)]
    listed = [(s, k) for s, k, m in units for _ in range(m)]
    n = sum(k for _, k in listed)
    counted = clustered_from_counts(units)
    assert counted == pytest.approx(clustered_from_totals(listed), rel=1e-12)
    assert counted[0] == math.fsum(s for s, _ in listed) / n
    assert clustered_from_counts(reversed(units)) == counted
    assert clustered_from_counts([(1.0, 1, 1)])[1:3] == (0.0, 1.0)  # one cluster: nothing known
    assert math.isnan(clustered_from_counts([(1.0, 1, 0)])[0])
