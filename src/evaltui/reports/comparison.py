"""Two runs compared by case id: the numbers behind `evaltui compare`, the CI gate and the reports.

The unit is the case. A case asked over several epochs is averaged first and passes when at
least half of its scored epochs passed; only then are the two runs paired. A case is paired when
both runs scored it (an epoch that errored is not a verdict); cases only one run has, or that one
run could only error on, are counted and reported as left out, never silently dropped.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from evaltui.analysis.stats import (
    PairedDiff,
    clustered_from_totals,
    paired_difference,
    paired_from_counts,
    spread_of_array,
    wilson_interval,
)
from evaltui.records import Rate, RunRecord, Spread, json_ready
from evaltui.store import Store
from evaltui.store.compare import CasePair, RunTotals, Side, iter_case_pairs, one_epoch_pairs, run_totals

SIGNIFICANCE = 0.05
PASS_MEAN = 0.5


@dataclass(frozen=True)
class RunSummary:
    """One run's side of a comparison; the same numbers `evaltui show` prints for it."""

    rate: Rate
    latency_ms: Spread
    cases: int
    errors: int  # results that errored
    tokens_in: int
    tokens_out: int
    cost_usd: float | None
    cached: int = 0  # results answered from the response cache (not in latency_ms)


class _RateTally:
    """A run's pass rate built while the pairs stream by: counts, plus one float per case when
    epochs are averaged (the clustered interval needs every case's mean)."""

    def __init__(self) -> None:
        self.cases = self.passed = self.scored = self.errors = 0
        self.means = array("d")

    @classmethod
    def from_totals(cls, totals: RunTotals) -> _RateTally:
        """A run of one epoch: its result counts are its case counts."""
        tally = cls()
        tally.cases, tally.passed = totals.results, totals.passed
        tally.scored, tally.errors = totals.results - totals.errors, totals.errors
        return tally

    def add(self, side: Side | None) -> None:
        if side is None:
            return
        self.cases += 1
        self.passed += side.passed
        self.scored += side.scored
        self.errors += side.errors
        if side.scored:
            self.means.append(side.passed / side.scored)

    def rate(self, epochs: int) -> Rate:
        """As `analysis.metrics` computes it: Wilson on result counts for one epoch, else the
        clustered interval over per-case means."""
        if self.scored == 0:
            return Rate(0, 0, None, 0.0, 1.0, "clustered" if epochs > 1 else "wilson")
        if epochs <= 1:
            lo, hi = wilson_interval(self.passed, self.scored)
            return Rate(self.scored, self.passed, self.passed / self.scored, lo, hi, "wilson")
        mean, lo, hi, se = clustered_from_totals((m, 1) for m in self.means)
        return Rate(self.scored, self.passed, mean, lo, hi, "clustered", se)


@dataclass(frozen=True)
class Counts:
    """Case counts of a comparison (cases, not epochs)."""

    shared: int = 0  # case ids in both runs
    paired: int = 0  # shared and scored by both
    regressions: int = 0  # pass -> fail
    improvements: int = 0  # fail -> pass
    unchanged: int = 0  # same verdict
    changed_output: int = 0  # same verdict, different output
    changed_tool_calls: int = 0  # shared cases whose tool calls differ (names and arguments, normalised)
    errors_a: int = 0  # shared cases with an errored epoch in A
    errors_b: int = 0
    unscored: int = 0  # shared, but one run only errored on it: not paired
    lost: int = 0  # unscored: A passed it, B only errored (a gate counts it as a regression)
    only_a: int = 0
    only_b: int = 0


ENDED_EARLY = ("interrupted", "stopped", "failed")  # run statuses of a run with cases never asked


@dataclass(frozen=True)
class Comparison:
    run_a: RunRecord
    run_b: RunRecord
    summary_a: RunSummary
    summary_b: RunSummary
    paired: PairedDiff
    counts: Counts
    regressions: list[str] = field(default_factory=list)  # case ids in A's case order
    improvements: list[str] = field(default_factory=list)
    suites: str = "same"  # "same", "changed" (same name, other cases) or "different"
    epochs: int = 1

    @property
    def verdict(self) -> str:
        return verdict(self.paired)

    def left_out(self) -> str:
        """Why some cases are not in the paired comparison, in words (empty when none are)."""
        c = self.counts
        parts = []
        if c.only_a or c.only_b:
            why = {
                "same": "one run did not ask them: a limit, tags or an unfinished run",
                "changed": "the suite's cases changed between the runs",
                "different": "the runs are of different suites",
            }[self.suites]
            parts.append(f"{c.only_a} only in A, {c.only_b} only in B ({why}; compared on shared case ids)")
        if c.unscored:
            parts.append(f"{c.unscored} shared cases errored on every epoch in one run")
        return "; ".join(parts)

    def warning(self) -> str:
        """What makes the comparison suspect before any number is read (empty when nothing does):
        one run compared with itself, other suites, or a run that ended early (a baseline or
        candidate `stopped` at its cost ceiling must not read as a complete run)."""
        a, b = self.run_a.suite, self.run_b.suite
        parts = []
        if self.run_a.id == self.run_b.id:
            parts.append(f"A and B are the same run ({self.run_a.id}): nothing can differ")
        if self.suites == "different":
            parts.append(
                f"A and B are runs of different suites ({a!r}, {b!r}): only shared case ids are compared"
            )
        if self.suites == "changed":
            parts.append(f"suite {a!r} changed between the runs: only shared case ids are compared")
        for side, run in (("A", self.run_a), ("B", self.run_b)):
            if run.status in ENDED_EARLY:
                why = f": {run.stop_reason}" if run.stop_reason else ""
                parts.append(f"{side} is {run.status} ({run.done:,} of its {run.total:,} results){why}")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return json_ready(
            {
                "run_a": self.run_a.as_dict(),
                "run_b": self.run_b.as_dict(),
                "summary_a": asdict(self.summary_a),
                "summary_b": asdict(self.summary_b),
                "paired": asdict(self.paired),
                "verdict": self.verdict,
                "counts": asdict(self.counts),
                "left_out": self.left_out(),
                "suites": self.suites,
                "warning": self.warning(),
                "epochs": self.epochs,
                "pass_rule": "a case passes when the mean of its scored epochs is >= 0.5",
                "regressions": self.regressions,
                "improvements": self.improvements,
            }
        )


def verdict(paired: PairedDiff) -> str:
    """An honest sentence: a difference is only called when the exact McNemar test says so."""
    if paired.n == 0:
        return "nothing to compare: no case was scored by both runs"
    p = f"p={paired.mcnemar_p:.3g}"
    if paired.mcnemar_p >= SIGNIFICANCE or paired.b == paired.c:
        return f"not distinguishable from noise ({p})"
    return f"B is better ({p})" if paired.c > paired.b else f"B is worse ({p})"


def passes(side: Side) -> bool:
    return side.mean is not None and side.mean >= PASS_MEAN


def case_status(side: Side) -> str:
    """One run's verdict on a case, as a result status: "error" when no epoch was scored."""
    if side.mean is None:
        return "error"
    return "pass" if passes(side) else "fail"


def _count(
    pair: CasePair, counts: Counter[str], moved: dict[str, list[tuple[float, str]]]
) -> tuple[bool, bool] | None:
    """Add one case to the counts (by `Counts` field); the (A passed, B passed) pair when both
    runs scored it."""
    if pair.a is None:
        counts["only_b"] += 1
        return None
    if pair.b is None:
        counts["only_a"] += 1
        return None
    counts["shared"] += 1
    counts["errors_a"] += pair.a.errors > 0
    counts["errors_b"] += pair.b.errors > 0
    if pair.a.mean is None or pair.b.mean is None:
        counts["unscored"] += 1
        counts["lost"] += pair.b.mean is None and passes(pair.a)
        return None
    counts["paired"] += 1
    a_pass, b_pass = passes(pair.a), passes(pair.b)
    key = (float(pair.position) if pair.position is not None else math.inf, pair.case_id)
    if a_pass and not b_pass:
        counts["regressions"] += 1
        moved["regressions"].append(key)
    elif b_pass and not a_pass:
        counts["improvements"] += 1
        moved["improvements"].append(key)
    else:
        counts["unchanged"] += 1
        counts["changed_output"] += pair.changed
    return a_pass, b_pass


def compare_runs(store: Store, run_a: str, run_b: str) -> Comparison:
    """Both runs paired by case id. Runs of one epoch are joined and counted inside SQLite; runs
    with epochs are streamed once in case-id order and folded case by case. Either way only the
    ids of moved cases are kept."""
    info_a, info_b = store.get_run(run_a) or RunRecord(run_a), store.get_run(run_b) or RunRecord(run_b)
    totals_a, totals_b = _totals(store, info_a), _totals(store, info_b)
    moved: dict[str, list[tuple[float, str]]] = {"regressions": [], "improvements": []}
    if totals_a.epochs == 1 and totals_b.epochs == 1:
        counts = _one_epoch_counts(store, run_a, run_b, totals_a, totals_b, moved)
        tallies = (_RateTally.from_totals(totals_a), _RateTally.from_totals(totals_b))
        paired = paired_from_counts(counts.paired, counts.regressions, counts.improvements)
    else:
        tally: Counter[str] = Counter()
        tallies = (_RateTally(), _RateTally())

        def pairs() -> Any:
            for pair in iter_case_pairs(store, run_a, run_b):
                tallies[0].add(pair.a)
                tallies[1].add(pair.b)
                outcome = _count(pair, tally, moved)
                if outcome is not None:
                    yield outcome

        paired = paired_difference(pairs())
        counts = Counts(**tally)
    counts = replace(counts, changed_tool_calls=changed_tool_calls(store, run_a, run_b))
    return Comparison(
        run_a=info_a,
        run_b=info_b,
        summary_a=_summary(info_a, totals_a, tallies[0]),
        summary_b=_summary(info_b, totals_b, tallies[1]),
        paired=paired,
        counts=counts,
        regressions=[cid for _, cid in sorted(moved["regressions"])],
        improvements=[cid for _, cid in sorted(moved["improvements"])],
        suites=suite_relation(info_a, info_b),
        epochs=max(totals_a.epochs, totals_b.epochs),
    )


def normalised_tool_calls(calls: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """What two runs' tool calls are compared on: each call's name and arguments (as written when
    they were not JSON). Call ids are left out: servers make up new ones on every answer."""
    return [
        {
            "name": call.get("name"),
            "arguments": call.get("raw_arguments") if call.get("malformed") else call.get("arguments"),
        }
        for call in calls or ()
    ]


def tool_call_signature(calls: Iterable[Mapping[str, Any]] | None) -> str:
    """The calls as normalised JSON, keys sorted: key order is not a change."""
    return json.dumps(normalised_tool_calls(calls), ensure_ascii=False, sort_keys=True, default=str)


def changed_tool_calls(store: Store, run_a: str, run_b: str) -> int:
    """Shared cases with an epoch whose tool calls differ between the runs. Only results that made
    calls are read first, so runs without tools cost two queries that find nothing."""
    calls_a = {(r.case_id, r.epoch): tool_call_signature(r.tool_calls) for r in store.iter_tool_calls(run_a)}
    calls_b = {(r.case_id, r.epoch): tool_call_signature(r.tool_calls) for r in store.iter_tool_calls(run_b)}
    if not calls_a and not calls_b:
        return 0
    keys_a = {(r.case_id, r.epoch) for r in store.iter_results(run_a, columns=("case_id", "epoch"))}
    keys_b = {(r.case_id, r.epoch) for r in store.iter_results(run_b, columns=("case_id", "epoch"))}
    empty = tool_call_signature(None)
    return len(
        {
            case
            for case, epoch in (set(calls_a) | set(calls_b)) & keys_a & keys_b
            if calls_a.get((case, epoch), empty) != calls_b.get((case, epoch), empty)
        }
    )


def _one_epoch_counts(
    store: Store,
    run_a: str,
    run_b: str,
    totals_a: RunTotals,
    totals_b: RunTotals,
    moved: dict[str, list[tuple[float, str]]],
) -> Counts:
    """`_count` over every case at once, for two runs of one epoch (a case is then one result)."""
    joined = one_epoch_pairs(store, run_a, run_b)
    for case_id, position, passed_a in joined.moved:
        key = (float(position) if position is not None else math.inf, case_id)
        moved["regressions" if passed_a else "improvements"].append(key)
    regressions, improvements = len(moved["regressions"]), len(moved["improvements"])
    return Counts(
        shared=joined.shared,
        paired=joined.paired,
        regressions=regressions,
        improvements=improvements,
        unchanged=joined.paired - regressions - improvements,
        changed_output=joined.changed,
        errors_a=joined.errors_a,
        errors_b=joined.errors_b,
        unscored=joined.shared - joined.paired,
        lost=joined.lost,
        only_a=totals_a.results - joined.shared,
        only_b=totals_b.results - joined.shared,
    )


def _stored_latency(run: RunRecord) -> Spread | None:
    """A finished run keeps its latency percentiles (engine: Store.finish_run); a live one is read."""
    if run.status == "running" or run.metrics is None:
        return None
    return run.metrics.latency_ms


def _totals(store: Store, run: RunRecord) -> RunTotals:
    return run_totals(store, run.id, latencies=_stored_latency(run) is None)


def _summary(run: RunRecord, totals: RunTotals, tally: _RateTally) -> RunSummary:
    stored = _stored_latency(run)
    return RunSummary(
        rate=tally.rate(totals.epochs),
        latency_ms=stored or spread_of_array(totals.latencies),
        cases=tally.cases,
        errors=tally.errors,
        tokens_in=totals.tokens_in,
        tokens_out=totals.tokens_out,
        cost_usd=totals.cost_usd,
        cached=totals.cached,
    )


def suite_relation(run_a: RunRecord, run_b: RunRecord) -> str:
    if run_a.suite_id == run_b.suite_id:
        return "same"
    return "changed" if run_a.suite == run_b.suite else "different"
