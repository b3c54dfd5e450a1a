"""Metrics of one run, computed in a single pass over its results.

Results stream in (the store's `iter_metric_rows`, or a runner's results as they are committed,
through `MetricsTally`) and are reduced on the fly to per-case aggregates (a few numbers per
case; none for a fresh run of one epoch); no result is kept. Costs are summed exactly as they
come (`ExactSum`); latencies are kept one float each, or, for a run whose rows are in the store,
past KEPT_LATENCIES of them counted in a `Histogram` whose exact percentiles are read from those
rows at the end (`analysis.histogram.exact_spread`). The unit of the statistics is the case: when
a case was asked over several epochs its epochs are averaged first, and a case whose epochs
disagree is flaky.

The records it builds (`RunMetrics`, `Rate`, `TagRate`) live in `evaltui.records`, which every
layer reads.
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from evaltui.analysis.histogram import Histogram, RangeReader, exact_spread
from evaltui.analysis.stats import clustered_from_totals, spread_of_array, wilson_interval
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
    """Per-case running totals: this is all a result leaves behind."""

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
    cases: dict[str, _CaseTally] = field(default_factory=dict)
    # each fresh latency (analysis.stats.spread sorts them), or the latest few, the others counted
    # in `counted` (exact_spread reads the percentiles from the run's rows)
    latencies: array[float] = field(default_factory=lambda: array("d"))
    counted: Histogram | None = None
    counts: dict[str, int] = field(default_factory=lambda: {"pass": 0, "fail": 0, "error": 0})
    cached: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    costs: ExactSum = field(default_factory=ExactSum)
    cost_known: bool = True


class _Scored:
    """Single-epoch cases' verdicts as a rate needs them: counts, and sums per cluster. With one
    result a case, a case's mean is its verdict, so no case needs a tally of its own."""

    __slots__ = ("clusters", "failed", "passed")

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.clusters: dict[str, list[float]] = {}  # cluster -> [sum of case means, cases]

    def add(self, passed: bool, cluster: str | None) -> None:
        self.passed += passed
        self.failed += not passed
        if cluster:
            unit = self.clusters.setdefault(cluster, [0.0, 0])
            unit[0] += passed
            unit[1] += 1

    def rate(self, clustered: bool) -> Rate:
        """What `_rate` gives for these cases: a case outside any cluster is a unit of its own."""
        n = self.passed + self.failed
        if n == 0 or not clustered:
            return _rate({}, clustered) if n == 0 else _wilson(self.passed, n)
        in_clusters = sum(int(s) for s, _ in self.clusters.values())
        alone = n - sum(int(k) for _, k in self.clusters.values())
        alone_passed = self.passed - in_clusters
        units = itertools.chain(
            ((s, int(k)) for s, k in self.clusters.values()),
            itertools.repeat((1.0, 1), alone_passed),
            itertools.repeat((0.0, 1), alone - alone_passed),
        )
        mean, lo, hi, se = clustered_from_totals(units)
        return Rate(n, self.passed, mean, lo, hi, "clustered", se)


class _OneEpoch:
    """A run of one epoch folded without a tally per case (`MetricsTally(one_epoch=True)`)."""

    def __init__(self) -> None:
        self.cases = 0
        self.any_cluster = False
        self.values = ExactSum()  # the scored cases' values
        self.all = _Scored()
        self.by_tag: dict[str, _Scored] = {}

    def add(self, result: Result, status: str) -> None:
        self.cases += 1
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

    def finish(self, run: _RunTally, latency_ms: Spread) -> RunMetrics:
        total = sum(run.counts.values())
        clustered = self.any_cluster
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
            epochs=1 if self.cases else 0,
            flaky_share=None,
            by_tag=tuple(TagRate(tag, self.by_tag[tag].rate(clustered)) for tag in sorted(self.by_tag)),
            cached=run.cached,
        )


class MetricsTally:
    """A run's metrics folded as its results arrive, in any order: what `run_metrics` would
    read back from the store once the run ends, known without reading it back. Cases named first
    with `expect` (in suite order) keep that order, and their tags and cluster, whatever order
    their results come in; a case with no result is not counted. Sums over a case's epochs are
    floating point, so a multi-epoch case's mean may differ from the stored rows' in the last bit.

    `latencies_in_store`: the results are in the store as well (a run's), so past KEPT_LATENCIES
    their latencies are only counted, not kept, and `metrics` reads their exact percentiles from
    the store's rows (`analysis.histogram.exact_spread`); memory then does not grow with them."""

    def __init__(self, *, one_epoch: bool = False, latencies_in_store: bool = False) -> None:
        self._tally = _RunTally()
        if latencies_in_store:
            self._tally.counted = Histogram()
        # A fresh run of one epoch: each result is its case's only one (and carries its tags and
        # cluster), so nothing is kept per case and memory does not grow with the suite.
        self._one = _OneEpoch() if one_epoch else None

    def expect(self, case_id: str, tags: Iterable[str], cluster: str | None) -> None:
        if self._one is None and case_id not in self._tally.cases:
            self._tally.cases[case_id] = _CaseTally(tuple(tags), cluster or None)

    def add(self, result: Result) -> None:
        _add(self._tally, result, self._one)

    def metrics(self, stored: RangeReader | None = None) -> RunMetrics:
        """The run's metrics. `stored` reads the run's latencies from the store (its
        `fresh_latencies`): needed once a tally with `latencies_in_store` has counted some."""
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
        if self._one is None:
            return _finish(self._tally, latency_ms)
        return self._one.finish(self._tally, latency_ms)


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
    """`run_metrics` of a run's rows in the store (`Store.iter_metric_rows`), its latencies counted,
    not kept, and their exact percentiles read back from the rows (`latencies`: the store's
    `fresh_latencies` of the run)."""
    tally = MetricsTally(latencies_in_store=True)
    for row in rows:
        tally.add(row)
    return tally.metrics(latencies)


def _add(tally: _RunTally, result: Result, one: _OneEpoch | None = None) -> None:
    status = result.status
    if status not in tally.counts:
        raise ValueError(f"result status must be pass, fail or error, got {status!r}")
    tally.counts[status] += 1
    tally.cached += result.cached
    case = None
    if one is not None:
        one.add(result, status)
    else:
        case_id = result.case_id
        case = tally.cases.get(case_id)
        if case is None:
            case = _CaseTally(result.tags, result.cluster or None)
            tally.cases[case_id] = case
        case.epochs += 1
    tokens_in, tokens_out, cost = spent(result)
    tally.tokens_in += tokens_in
    tally.tokens_out += tokens_out
    if cost is not None:
        tally.costs.add(cost)
    if status == "error":
        return
    if cost is None:
        tally.cost_known = False
    latency = fresh_latency(result)
    if latency is not None:
        latencies = tally.latencies
        latencies.append(latency)
        if tally.counted is not None and len(latencies) >= KEPT_LATENCIES:
            tally.counted.add_all(latencies)
            tally.latencies = array("d")
    if case is None:
        return
    passed = status == "pass"
    case.passed += passed
    case.failed += not passed
    value = result.value
    case.value_sum += float(value) if value is not None else float(passed)
    case.value_n += 1


def _finish(tally: _RunTally, latency_ms: Spread) -> RunMetrics:
    cases = {case_id: case for case_id, case in tally.cases.items() if case.epochs}
    epochs = max((c.epochs for c in cases.values()), default=0)
    clustered = epochs > 1 or any(c.cluster for c in cases.values())
    multi = [(cid, c) for cid, c in cases.items() if c.passed + c.failed > 1]
    flaky = tuple(cid for cid, c in multi if c.passed and c.failed)
    scored_cases = [c for c in cases.values() if c.value_n]
    by_tag: dict[str, dict[str, _CaseTally]] = {}
    for case_id, case in cases.items():
        for tag in case.tags:
            by_tag.setdefault(tag, {})[case_id] = case
    total = sum(tally.counts.values())
    return RunMetrics(
        total=total,
        passed=tally.counts["pass"],
        failed=tally.counts["fail"],
        errors=tally.counts["error"],
        rate=_rate(cases, clustered),
        pass_rate_all=tally.counts["pass"] / total if total else None,
        mean_score=(
            math.fsum(c.value_sum / c.value_n for c in scored_cases) / len(scored_cases)
            if scored_cases
            else None
        ),
        latency_ms=latency_ms,
        tokens_in=tally.tokens_in,
        tokens_out=tally.tokens_out,
        cost_usd=tally.costs.value() if tally.cost_known and tally.costs else None,
        cases=len(cases),
        epochs=epochs,
        flaky_share=len(flaky) / len(multi) if multi else None,
        flaky_cases=flaky,
        by_tag=tuple(TagRate(tag, _rate(by_tag[tag], clustered)) for tag in sorted(by_tag)),
        cached=tally.cached,
    )


def _rate(cases: Mapping[str, _CaseTally], clustered: bool) -> Rate:
    """Pass rate of a set of cases: Wilson on result counts, or clustered on per-case means."""
    passed = sum(c.passed for c in cases.values())
    n = passed + sum(c.failed for c in cases.values())
    if n == 0:
        return Rate(0, 0, None, 0.0, 1.0, "clustered" if clustered else "wilson")
    if not clustered:
        return _wilson(passed, n)
    totals: dict[tuple[bool, str], list[float]] = {}
    for case_id, c in cases.items():
        scored = c.passed + c.failed
        if scored:
            key = (True, c.cluster) if c.cluster else (False, case_id)  # unclustered: own unit
            unit = totals.setdefault(key, [0.0, 0])
            unit[0] += c.passed / scored
            unit[1] += 1
    mean, lo, hi, se = clustered_from_totals((s, int(k)) for s, k in totals.values())
    return Rate(n, passed, mean, lo, hi, "clustered", se)


def _wilson(passed: int, n: int) -> Rate:
    lo, hi = wilson_interval(passed, n)
    return Rate(n, passed, passed / n, lo, hi, "wilson")
