"""Confidence intervals and paired tests for pass rates.

The maths follows Evan Miller, "Adding Error Bars to Evals" (2024): a pass rate is a mean of
per-case scores; when cases are not independent (they share a cluster, or one case was asked
several times) the standard error is clustered; two runs of the same suite are compared case by
case (paired), which removes the between-case variance that unpaired intervals carry.

Everything here is pure: numbers in, numbers out. Bad arguments (a count above its total, a
percentile outside 0..100) are programming errors and raise `ValueError`.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator, Mapping

from evaltui.recordclass import record
from evaltui.records import Spread

Z95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(passed: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for `passed` successes out of `n`.

    Unlike the normal (Wald) interval it stays inside [0, 1] and is not degenerate at 0/n or n/n,
    which is exactly where small eval suites live. With no trials nothing is known: (0, 1).
    """
    if n < 0 or passed < 0 or passed > n:
        raise ValueError(f"wilson_interval needs 0 <= passed <= n, got passed={passed}, n={n}")
    if n == 0:
        return 0.0, 1.0
    p = passed / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4 * n * n)) / denom
    lo = 0.0 if passed == 0 else max(0.0, centre - half)
    hi = 1.0 if passed == n else min(1.0, centre + half)
    return lo, hi


def live_interval(passed: int, scored: int, epochs: int) -> tuple[float, float] | None:
    """The interval a live run's result counts can show: Wilson's while each result is a case of
    its own; None with several epochs (each epoch would count as another case, an interval
    narrower than the clustered one the run ends with) or nothing scored yet."""
    return wilson_interval(passed, scored) if scored and epochs <= 1 else None


def clustered_from_totals(
    totals: Iterable[tuple[float, int]], z: float = Z95
) -> tuple[float, float, float, float]:
    """Clustered interval from per-cluster (sum of scores, number of scores).

    SE = sqrt(C / (C - 1) * sum_c (S_c - n_c * mean)^2) / n, Miller's clustered formula (the sum
    over clusters of the squared sum of residuals) with the usual small-sample factor C / (C - 1)
    for C clusters. With that factor, clusters of one case give back the textbook standard error
    of a mean (sample variance / n), so clustering never makes an interval narrower just because
    clusters are small. Fewer than two clusters carry no information about the spread between
    clusters: the interval is (0, 1) and the SE is NaN. The interval is mean +- z * SE clipped
    to [0, 1].
    """
    pairs = [(float(s), int(k)) for s, k in totals if k > 0]
    n = sum(k for _, k in pairs)
    if n == 0:
        return math.nan, 0.0, 1.0, math.nan
    mean = sum(s for s, _ in pairs) / n
    clusters = len(pairs)
    if clusters < 2:
        return mean, 0.0, 1.0, math.nan
    ss = math.fsum((s - k * mean) ** 2 for s, k in pairs)
    se = math.sqrt(clusters / (clusters - 1) * ss) / n
    return mean, max(0.0, mean - z * se), min(1.0, mean + z * se), se


def clustered_from_counts(
    units: Iterable[tuple[float, int, int]], z: float = Z95
) -> tuple[float, float, float, float]:
    """`clustered_from_totals` of units given once with how many clusters share them: (sum of
    scores, number of scores, clusters alike). A run's unclustered cases are clusters of their own
    whose sums take only a few values (a case's share of passing epochs), so memory holds those
    values, not the cases. The sums over clusters are exact (`math.fsum`, each multiple taken
    exactly), so the mean does not depend on the clusters' order."""
    kept = [(float(s), int(k), int(m)) for s, k, m in units if k > 0 and m > 0]
    n = sum(k * m for _, k, m in kept)
    if n == 0:
        return math.nan, 0.0, 1.0, math.nan
    mean = math.fsum(x for s, _, m in kept for x in _multiple(s, m)) / n
    clusters = sum(m for _, _, m in kept)
    if clusters < 2:
        return mean, 0.0, 1.0, math.nan
    ss = math.fsum(x for s, k, m in kept for x in _multiple((s - k * mean) ** 2, m))
    se = math.sqrt(clusters / (clusters - 1) * ss) / n
    return mean, max(0.0, mean - z * se), min(1.0, mean + z * se), se


def _multiple(x: float, times: int) -> Iterator[float]:
    """Floats whose exact sum is `times * x`: x scaled by the powers of two in `times` (exact)."""
    bit = 0
    while times:
        if times & 1:
            yield math.ldexp(x, bit)
        times >>= 1
        bit += 1


def clustered_interval(
    values_by_cluster: Mapping[str, Iterable[float]], z: float = Z95
) -> tuple[float, float, float, float]:
    """(mean, lo, hi, se) of 0/1 (or 0..1) scores grouped by cluster; see `clustered_from_totals`.

    For a case asked over several epochs, pass the per-case mean (one value per case) and cluster
    by case or by the case's cluster tag: averaging per case first is what Miller recommends.
    """
    totals = []
    for values in values_by_cluster.values():
        vals = [float(v) for v in values]
        totals.append((math.fsum(vals), len(vals)))
    return clustered_from_totals(totals, z)


@record(frozen=True, slots=True)
class PairedDiff:
    """B minus A over cases both runs scored. b: A passed and B failed (regressions);
    c: A failed and B passed (improvements). `mcnemar_p` is the exact two-sided p-value."""

    mean_diff: float
    lo: float
    hi: float
    se: float
    n: int
    b: int
    c: int
    mcnemar_p: float


def paired_difference(pairs: Iterable[tuple[bool, bool]], z: float = Z95) -> PairedDiff:
    """Paired comparison of 0/1 outcomes (a_passed, b_passed), one pair per shared case.

    The difference d_i = B_i - A_i is -1, 0 or +1; its mean is (c - b) / n and its standard
    error sqrt(s^2 / n) with s^2 the sample variance ((b + c) - (c - b)^2 / n) / (n - 1).
    With fewer than two pairs the spread is unknown: SE NaN, interval (-1, 1).
    """
    n = b = c = 0
    for a_pass, b_pass in pairs:
        n += 1
        if a_pass and not b_pass:
            b += 1
        elif b_pass and not a_pass:
            c += 1
    return paired_from_counts(n, b, c, z)


def paired_from_counts(n: int, b: int, c: int, z: float = Z95) -> PairedDiff:
    """`paired_difference` from its counts: n pairs, b pass->fail (regressions), c fail->pass."""
    p = mcnemar_exact(b, c)
    if n == 0:
        return PairedDiff(0.0, -1.0, 1.0, math.nan, 0, 0, 0, p)
    mean = (c - b) / n
    if n < 2:
        return PairedDiff(mean, -1.0, 1.0, math.nan, n, b, c, p)
    variance = max(0.0, ((b + c) - (c - b) ** 2 / n) / (n - 1))
    se = math.sqrt(variance / n)
    return PairedDiff(mean, max(-1.0, mean - z * se), min(1.0, mean + z * se), se, n, b, c, p)


def mcnemar_exact(b: int, c: int) -> float:
    """Exact two-sided McNemar test: p = min(1, 2 * P(X <= min(b, c))), X ~ Bin(b + c, 1/2).

    Summed in log space (lgamma and log-sum-exp) so b + c in the millions neither overflows nor
    underflows to a wrong 0 before the sum.
    """
    if b < 0 or c < 0:
        raise ValueError(f"mcnemar_exact needs non-negative counts, got b={b}, c={c}")
    m = b + c
    if m == 0:
        return 1.0
    k = min(b, c)
    log_half_m = m * math.log(0.5)
    lg_m1 = math.lgamma(m + 1)
    logs = [lg_m1 - math.lgamma(i + 1) - math.lgamma(m - i + 1) + log_half_m for i in range(k + 1)]
    top = max(logs)
    log_tail = top + math.log(math.fsum(math.exp(v - top) for v in logs))
    return min(1.0, 2.0 * math.exp(log_tail))


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks, the same
    as numpy's default (`method="linear"`)."""
    data = sorted(float(v) for v in values)
    return _sorted_percentile(data, q)


def _sorted_percentile(data: array[float] | list[float], q: float) -> float:
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile q must be within 0..100, got {q}")
    if not data:
        raise ValueError("percentile of no values")
    h = (len(data) - 1) * q / 100.0
    lo = math.floor(h)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (h - lo) * (data[hi] - data[lo])


def spread(values: Iterable[float | None]) -> Spread:
    """p50, p95 and max of a stream, skipping None. Values are packed into a float array (8 bytes
    each) while streaming; only the final sort makes a temporary list."""
    data = array("d", (v for v in values if v is not None))
    return spread_of_array(data)


def spread_of_array(data: array[float]) -> Spread:
    """`spread` of values already collected in a float array (metrics fill one as rows stream)."""
    return spread_of_sorted(sorted(data))


def spread_of_sorted(ordered: list[float]) -> Spread:
    """`spread` of values already in ascending order."""
    if not ordered:
        return Spread(0, None, None, None)
    return Spread(len(ordered), _sorted_percentile(ordered, 50), _sorted_percentile(ordered, 95), ordered[-1])
