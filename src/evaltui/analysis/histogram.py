"""Latencies counted in buckets a fraction of a percent wide, so that a run of any size keeps a
few thousand counts instead of every latency.

From the counts alone a percentile is known to within half a bucket (`Histogram.approximate`:
the live figures). A run's exact percentiles need one more read of its rows (`exact_spread`):
the counts say which bucket holds the value at a rank and how many values lie below that bucket,
so only that bucket's rows are read and sorted. A bucket is a float's binary exponent and the
first MANTISSA_BITS bits of its mantissa, so its bounds are floats themselves: `lo <= x < hi`
selects exactly the values of one bucket (in SQL too), with no rounding at its edges.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from evaltui.records import Spread

MANTISSA_BITS = 7  # a bucket is at most 1/128 of its lower bound wide
_STEPS = 1 << (MANTISSA_BITS + 1)  # frexp's mantissa is in [0.5, 1): times this, in [_STEPS/2, _STEPS)
_LOW = -(1 << 40)  # the bucket of zero and below, and of floats under _TINY: under every other's
_HIGH = 1 << 40  # the bucket of +inf: over every finite float's
_TINY = math.ldexp(1.0, -1000)  # above it every bucket's bounds are floats (none is subnormal)

# (lo, hi, offset, limit) -> the values x with lo <= x < hi (None: unbounded), ascending, `limit`
# of them from the `offset`-th
RangeReader = Callable[[float | None, float | None, int, int], list[float]]


def bucket(x: float) -> int:
    """The bucket of x: buckets are numbered in the order of their values."""
    if x < _TINY:
        return _LOW
    if x == math.inf:
        return _HIGH
    mantissa, exponent = math.frexp(x)
    return exponent * _STEPS + int(mantissa * _STEPS)


def bounds(key: int) -> tuple[float | None, float | None]:
    """(lo, hi) of a bucket: it holds exactly the floats with lo <= x < hi; None is unbounded."""
    if key == _LOW:
        return None, _TINY
    if key == _HIGH:
        return math.inf, None
    exponent, step = divmod(key, _STEPS)
    lo = math.ldexp(step / _STEPS, exponent)
    try:
        hi = math.ldexp((step + 1) / _STEPS, exponent)
    except OverflowError:  # the top bucket of the finite floats
        hi = math.inf
    return lo, hi


class Histogram:
    """Counts of values by bucket, their number and their maximum. NaN is not counted (SQLite keeps
    a NaN as NULL, so the store's rows hold none either)."""

    __slots__ = ("counts", "max", "n")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.n = 0
        self.max: float | None = None

    def add(self, x: float) -> None:
        self.add_all((x,))

    def add_all(self, values: Iterable[float]) -> None:
        """Count each value (the loop is `bucket` written out: it runs once a latency)."""
        counts, n, top = self.counts, self.n, self.max
        frexp = math.frexp
        for x in values:
            if _TINY <= x < math.inf:
                mantissa, exponent = frexp(x)
                key = exponent * _STEPS + int(mantissa * _STEPS)
            elif x != x:  # NaN
                continue
            else:
                key = bucket(x)
            counts[key] = counts.get(key, 0) + 1
            n += 1
            if top is None or x > top:
                top = x
        self.n, self.max = n, top

    def locate(self, rank: int) -> tuple[int, int]:
        """(bucket holding the value of 0-based `rank` in ascending order, values in buckets below)."""
        if not 0 <= rank < self.n:
            raise ValueError(f"rank {rank} outside 0..{self.n - 1}")
        below = 0
        for key in sorted(self.counts):
            count = self.counts[key]
            if rank < below + count:
                return key, below
            below += count
        raise AssertionError("the counts add up to n")

    def approximate(self, q: float) -> float | None:
        """The q-th percentile (interpolated as `analysis.stats.percentile` does) with each value
        taken as its bucket's middle, kept within the maximum: at most half a bucket out (for
        values above zero: under 1/256 of the value). None when nothing was counted."""
        if not self.n:
            return None
        h = (self.n - 1) * q / 100.0
        lo = math.floor(h)
        hi = min(lo + 1, self.n - 1)
        a, b = self._middle(self.locate(lo)[0]), self._middle(self.locate(hi)[0])
        return a + (h - lo) * (b - a)

    def _middle(self, key: int) -> float:
        lo, hi = bounds(key)
        top = self.max if self.max is not None else 0.0
        if lo is None or hi is None or math.isinf(hi):
            return top if key != _LOW else min(0.0, top)
        return min((lo + hi) / 2, top)


def exact_spread(histogram: Histogram, read: RangeReader) -> Spread:
    """p50, p95 and max of the values `histogram` counted, exactly as sorting them all would give
    (`analysis.stats.spread`), reading from `read` (the same values, kept elsewhere: a run's rows)
    only the rows of the buckets that hold the two ranks each percentile interpolates between."""
    n = histogram.n
    if not n:
        return Spread(0, None, None, None)
    p50 = _exact_percentile(histogram, read, 50)
    p95 = _exact_percentile(histogram, read, 95)
    return Spread(n, p50, p95, histogram.max)


def _exact_percentile(histogram: Histogram, read: RangeReader, q: float) -> float:
    h = (histogram.n - 1) * q / 100.0
    lo = math.floor(h)
    hi = min(lo + 1, histogram.n - 1)
    first, below = histogram.locate(lo)
    start, _ = bounds(first)
    _, end = bounds(histogram.locate(hi)[0])
    wanted = hi - lo + 1
    values = read(start, end, lo - below, wanted)
    if len(values) != wanted:  # the rows and the counts disagree: take the ranks over every row
        values = read(None, None, lo, wanted)
    if not values:
        raise ValueError(f"no value at rank {lo} of {histogram.n}: the rows read are not those counted")
    a, b = float(values[0]), float(values[-1])
    return a + (h - lo) * (b - a)
