"""Metrics of one run, computed in a single pass over its results.

Results stream in (the store's `iter_metric_rows`, case by case, or a runner's results as they
are committed, through `MetricsTally`) and each case's epochs are tallied until the case is
complete, then folded into counts that grow with tags and clusters, not cases (`_Scored`); no
result is kept, and only the cases under way are. Costs are summed exactly as they come
(`ExactSum`); latencies are kept one float each, or, for a run whose rows are in the store, past
KEPT_LATENCIES of them counted in a `Histogram` whose exact percentiles are read from those rows
at the end (`analysis.histogram.exact_spread`). The unit of the statistics is the case: when a
case was asked over several epochs its epochs are averaged first, and a case whose epochs
disagree is flaky.

The records it builds (`RunMetrics`, `Rate`, `TagRate`) live in `evaltui.records`, which every
layer reads.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

from evaltui.analysis.histogram import Histogram, RangeReader, exact_spread
from evaltui.analysis.stats import clustered_from_counts, spread_of_array, wilson_interval
from evaltui.records import Rate, Result, RunMetrics, Spread, TagRate

_FOLD_EVERY = 4096  # costs an ExactSum holds before folding them
KEPT_LATENCIES = 65_536  # latencies a tally of a stored run keeps before it counts them instead


class ExactSum:
    """The sum of floats added in any order, rounded once: what `math.fsum` of them all gives,
    without keeping them. Added values wait in a buffer; a full buffer is folded into a few floats
    (`parts`) whose exact sum is the exact sum so far, each the rounded rest of those before it
    (`math.fsum` rounds the exact sum of what it is given, so the rest is found exactly)."""

    __slots__ = ("_folded", "_parts", "_pending", "_special")

    def __init__(self) -> None:
        self._folded = 0  # values folded into the parts
        self._parts: list[float] = []
        self._pending: array[float] = array("d")
        self._special: dict[str, float] = {}  # an inf, -inf or NaN added: one of each kind is enough

    def __len__(self) -> int:
        return self._folded + len(self._pending)

    def add(self, x: float) -> None:
        self._pending.append(x)
        if len(self._pending) >= _FOLD_EVERY:
            self._fold()

    def _fold(self) -> None:
        pending, self._pending = self._pending, array("d")
        self._folded += len(pending)
        values = [*self._parts, *pending]
        if not all(map(math.isfinite, pending)):
            values = [x for x in values if math.isfinite(x)]
            for x in pending:
                if not math.isfinite(x):
                    self._special.setdefault(str(x), x)
        parts: list[float] = []
        try:
            while part := math.fsum(values):
                parts.append(part)
                values.append(-part)
        except OverflowError:  # the finite values' sum is past the largest float: +-inf
            parts = [sum(values)]
        self._parts = parts

    def value(self) -> float:
        """The rounded sum (0.0 when nothing was added); an inf or NaN among the values gives
        what `math.fsum` gives (ValueError for both signs of inf)."""
        self._fold()
        return math.fsum([*self._special.values(), *self._parts])


class _CaseTally:
    """A case's running totals while its epochs arrive; folded into `_Fold` once it is complete."""

    __slots__ = ("cluster", "epochs", "failed", "passed", "tags", "value_n", "value_sum")

    def __init__(self, tags: tuple[str, ...], cluster: str | None) -> None:
        self.tags = tags
        self.cluster = cluster
        self.epochs = 0
        self.passed = 0
        self.failed = 0
        self.value_sum = 0.0
        self.value_n = 0


@dataclass
class _RunTally:
    # each fresh latency (analysis.stats.spread sorts them), or the latest few, the others counted
    # in `counted` (exact_spread reads the percentiles from the run's rows)
    latencies: array[float] = field(default_factory=lambda: array("d"))
    counted: Histogram | None = None
    counts: dict[str, int] = field(default_factory=lambda: {"pass": 0, "fail": 0, "error": 0})
    cached: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_uncounted: int = 0  # answers asked in this run that reported no token counts
    costs: ExactSum = field(default_factory=ExactSum)
    cost_known: bool = True


class _Scored:
    """Cases' verdicts as a rate needs them, in memory that grows with clusters, not cases: result
    counts, sums of case means per cluster, and how many unclustered cases have each share of
    passing results (a case asked once passes or fails: those two are counted by subtraction)."""

    __slots__ = ("clusters", "failed", "other_failed", "other_passed", "passed", "shares")

    def __init__(self) -> None:
        self.passed = 0  # results
        self.failed = 0
        self.other_passed = 0  # results of cases in a cluster or asked more than once
        self.other_failed = 0
        self.clusters: dict[str, list[float]] = {}  # cluster -> [sum of case means, cases]
        self.shares: dict[tuple[int, int], int] = {}  # (passed, scored) of an unclustered case -> cases

    def add(self, passed: bool, cluster: str | None) -> None:
        """A case with one scored result (the one-epoch run's every case)."""
        self.passed += passed
        self.failed += not passed
        if cluster:
            self.other_passed += passed
            self.other_failed += not passed
            unit = self.clusters.setdefault(cluster, [0.0, 0])
            unit[0] += passed
            unit[1] += 1

    def add_case(self, passed: int, failed: int, cluster: str | None) -> None:
        """A case with `passed` and `failed` results over its epochs (errors not counted)."""
        scored = passed + failed
        if scored == 1:
            self.add(passed == 1, cluster)
        elif scored:
            self.passed += passed
            self.failed += failed
            self.other_passed += passed
            self.other_failed += failed
            if cluster:
                unit = self.clusters.setdefault(cluster, [0.0, 0])
                unit[0] += passed / scored
                unit[1] += 1
            else:
                key = (passed, scored)
                self.shares[key] = self.shares.get(key, 0) + 1

    def rate(self, clustered: bool) -> Rate:
        """Pass rate of these cases: Wilson on result counts, or clustered on per-case means (a
        case outside any cluster is a unit of its own)."""
        passed, n = self.passed, self.passed + self.failed
        if n == 0:
            return Rate(0, 0, None, 0.0, 1.0, "clustered" if clustered else "wilson")
        if not clustered:
            return _wilson(passed, n)
        alone_passed = passed - self.other_passed
        alone_failed = self.failed - self.other_failed
        units = [
            *((s, int(k), 1) for s, k in self.clusters.values()),
            (1.0, 1, alone_passed),
            (0.0, 1, alone_failed),
            *((p / k, 1, m) for (p, k), m in self.shares.items()),
        ]
        mean, lo, hi, se = clustered_from_counts(units)
        return Rate(n, passed, mean, lo, hi, "clustered", se)


class _Fold:
    """Complete cases folded into what the metrics need, none of them kept."""

    def __init__(self) -> None:
        self.cases = 0
        self.epochs = 0  # most epochs any case has
        self.any_cluster = False
        self.multi = 0  # cases with more than one scored result
        self.flaky = 0  # ... whose results disagree
        self.values = ExactSum()  # the scored cases' mean values
        self.all = _Scored()
        self.by_tag: dict[str, _Scored] = {}

    def add_one(self, result: Result) -> None:
        """A case with one result (a fresh run of one epoch: each result is its case's only one,
        and carries its tags and cluster)."""
        self.cases += 1
        status = result.status
        cluster = result.cluster or None
        self.any_cluster = self.any_cluster or cluster is not None
        tagged = [self.by_tag.setdefault(tag, _Scored()) for tag in result.tags]
        if status == "error":
            return
        passed = status == "pass"
        for scored in (self.all, *tagged):
            scored.add(passed, cluster)
        value = result.value
        self.values.add(float(value) if value is not None else float(passed))

    def add_case(self, case: _CaseTally) -> None:
        self.cases += 1
        self.epochs = max(self.epochs, case.epochs)
        cluster = case.cluster
        self.any_cluster = self.any_cluster or cluster is not None
        passed, failed = case.passed, case.failed
        if passed + failed > 1:
            self.multi += 1
            self.flaky += bool(passed and failed)
        if case.value_n:
            self.values.add(case.value_sum / case.value_n)
        self.all.add_case(passed, failed, cluster)
        for tag in case.tags:
            self.by_tag.setdefault(tag, _Scored()).add_case(passed, failed, cluster)

    def finish(self, run: _RunTally, latency_ms: Spread) -> RunMetrics:
        if self.cases and not self.epochs:  # cases of one result each (`add_one`)
            self.epochs = 1
        total = sum(run.counts.values())
        clustered = self.epochs > 1 or self.any_cluster
        return RunMetrics(
            total=total,
            passed=run.counts["pass"],
            failed=run.counts["fail"],
            errors=run.counts["error"],
            rate=self.all.rate(clustered),
            pass_rate_all=run.counts["pass"] / total if total else None,
            mean_score=self.values.value() / len(self.values) if self.values else None,
            latency_ms=latency_ms,
            tokens_in=run.tokens_in,
            tokens_out=run.tokens_out,
            cost_usd=run.costs.value() if run.cost_known and run.costs else None,
            cases=self.cases,
            epochs=self.epochs,
            flaky_share=self.flaky / self.multi if self.multi else None,
            by_tag=tuple(TagRate(tag, self.by_tag[tag].rate(clustered)) for tag in sorted(self.by_tag)),
            cached=run.cached,
            tokens_uncounted=run.tokens_uncounted,
        )


class MetricsTally:
    """A run's metrics folded as its results arrive: what `run_metrics` would read back from the
    store once the run ends, known without reading it back. A case's epochs are tallied until the
    case is complete, then folded in and forgotten, so memory holds only the cases under way:

    - `epochs=1`: a fresh run of one epoch; each result is a complete case.
    - `epochs=E`: a fresh run of E epochs; a case is complete with its E-th result (the cases
      under way are those the engine has in flight), the rest at `metrics`.
    - `in_case_order=True`: the results come case by case (the store's `iter_metric_rows`); a
      case is complete when the next one starts.
    - neither: results in any order; every case is kept until `metrics` (small runs, tests).

    Sums over a case's epochs and over a cluster's cases are floating point, added in the order
    cases complete, so a multi-epoch or clustered rate may differ in the last bit between orders.

    `latencies_in_store`: the results are in the store as well (a run's), so past KEPT_LATENCIES
    their latencies are only counted, not kept, and `metrics` reads their exact percentiles from
    the store's rows (`analysis.histogram.exact_spread`); memory then does not grow with them."""

    def __init__(
        self, *, epochs: int | None = None, in_case_order: bool = False, latencies_in_store: bool = False
    ) -> None:
        self._tally = _RunTally()
        if latencies_in_store:
            self._tally.counted = Histogram()
        self._fold = _Fold()
        self._one = epochs == 1
        self._epochs = epochs or 0
        self._in_order = in_case_order
        self._open: dict[str, _CaseTally] = {}  # cases under way

    def add(self, result: Result) -> None:
        _add(self._tally, result)
        if self._one:
            self._fold.add_one(result)
            return
        status = result.status
        case_id = result.case_id
        open_cases = self._open
        case = open_cases.get(case_id)
        if case is None:
            if self._in_order:
                self._close_all()
            case = open_cases[case_id] = _CaseTally(result.tags, result.cluster or None)
        case.epochs += 1
        if status != "error":
            passed = status == "pass"
            case.passed += passed
            case.failed += not passed
            value = result.value
            case.value_sum += float(value) if value is not None else float(passed)
            case.value_n += 1
        if case.epochs == self._epochs:
            del open_cases[case_id]
            self._fold.add_case(case)

    def _close_all(self) -> None:
        for case in self._open.values():
            self._fold.add_case(case)
        self._open.clear()

    def metrics(self, stored: RangeReader | None = None) -> RunMetrics:
        """The run's metrics (the cases still under way counted as they stand). `stored` reads the
        run's latencies from the store (its `fresh_latencies`): needed once a tally with
        `latencies_in_store` has counted some."""
        tally = self._tally
        counted = tally.counted
        if counted is None or not counted.n:
            latency_ms = spread_of_array(tally.latencies)
        elif stored is None:
            raise ValueError("this tally counted its latencies: their percentiles are read from the store")
        else:
            counted.add_all(tally.latencies)
            tally.latencies = array("d")
            latency_ms = exact_spread(counted, stored)
        self._close_all()
        return self._fold.finish(tally, latency_ms)


def fresh_latency(result: Result) -> float | None:
    """The latency a result counts for in a run's percentiles: only an answer the model gave in this
    run. A cached answer replays the latency of the run that first asked (so it is shown on its
    row, never counted again) and an errored case has no answer. The one definition, used by the
    stored metrics and by the engine's live figures alike."""
    latency = result.latency_ms
    if latency is None or result.cached or result.status == "error":
        return None
    return float(latency)


def spent(result: Result) -> tuple[int, int, float | None]:
    """(tokens in, tokens out, cost) a result cost this run. A cached answer was paid for by the run
    that first asked: it spends nothing now (0, 0, 0.0), though its row keeps what it first cost for
    the Case screen to show. Otherwise the row's own figures; a cost of None is unknown. The one
    definition, used by the stored metrics, the engine's live figures and (in SQL) the run's
    counters and totals (store.runs.COUNTERS_SQL, store.compare._TOTALS)."""
    if result.cached:
        return 0, 0, 0.0
    return result.tokens_in or 0, result.tokens_out or 0, result.cost_usd


def run_metrics(results: Iterable[Result]) -> RunMetrics:
    """Reduce results (the figures they need: status, value, latency_ms, cached, tokens_in,
    tokens_out, cost_usd, tags, cluster, case_id, epoch) to a run's metrics in one pass."""
    tally = MetricsTally()
    for result in results:
        tally.add(result)
    return tally.metrics()


def stored_run_metrics(rows: Iterable[Result], latencies: RangeReader) -> RunMetrics:
    """`run_metrics` of a run's rows in the store (`Store.iter_metric_rows`: case by case), one case
    kept at a time, its latencies counted, not kept, and their exact percentiles read back from the
    rows (`latencies`: the store's `fresh_latencies` of the run)."""
    tally = MetricsTally(in_case_order=True, latencies_in_store=True)
    for row in rows:
        tally.add(row)
    return tally.metrics(latencies)


def _add(tally: _RunTally, result: Result) -> None:
    """The run-wide sums: counts, tokens, cost, latencies."""
    status = result.status
    if status not in tally.counts:
        raise ValueError(f"result status must be pass, fail or error, got {status!r}")
    tally.counts[status] += 1
    tally.cached += result.cached
    tokens_in, tokens_out, cost = spent(result)
    tally.tokens_in += tokens_in
    tally.tokens_out += tokens_out
    if cost is not None:
        tally.costs.add(cost)
    if status == "error":
        return
    if not result.cached and result.tokens_in is None and result.tokens_out is None:
        tally.tokens_uncounted += 1
    if cost is None:
        tally.cost_known = False
    latency = fresh_latency(result)
    if latency is not None:
        latencies = tally.latencies
        latencies.append(latency)
        if tally.counted is not None and len(latencies) >= KEPT_LATENCIES:
            tally.counted.add_all(latencies)
            tally.latencies = array("d")


def _wilson(passed: int, n: int) -> Rate:
    lo, hi = wilson_interval(passed, n)
    return Rate(n, passed, passed / n, lo, hi, "wilson")
