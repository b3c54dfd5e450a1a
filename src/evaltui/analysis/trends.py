"""A suite's quality over time: pass rate with its interval, p95 latency and cost per run, one
series per model; a run whose pass rate falls below what the runs before it support is a drop;
and the cases whose verdict flips most often from run to run.

A drop: the run's pass rate is below the interval the previous `window` runs of the same model
give for the next run's rate. Those runs are pooled (scored cases and passes added up) for a rate
p0 over n0 cases; a new run of n cases lands within p0 ± 1.96·sqrt(v/n + v/n0), v = p0(1-p0), 95%
of the time when nothing changed (the variance of one run's rate plus that of p0 itself; v uses
(passed+1)/(n0+2) so that a perfect history still has a width). An interval for p0 alone would be
too narrow for one run: a steady model would be flagged every few runs.

Pure: numbers in, numbers out (analysis/ imports the standard library only).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from evaltui.analysis.stats import Z95

WINDOW = 5  # previous runs whose pooled interval a run is held against


@dataclass(frozen=True, slots=True)
class RunPoint:
    """One run as the trends read it (from its stored metrics)."""

    run_id: str
    started_at: str
    model_id: str
    n: int  # scored cases
    passed: int
    pass_rate: float | None
    lo: float  # the run's own 95% interval (clustered when its metrics were)
    hi: float
    p95_ms: float | None
    cost_usd: float | None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    run: RunPoint
    previous: tuple[float, float] | None  # where the runs before it put this run's rate (None: first)
    drop: bool  # its pass rate is below `previous`'s lower bound

    def to_dict(self) -> dict[str, object]:
        prev = None if self.previous is None else {"lo": self.previous[0], "hi": self.previous[1]}
        return {**asdict(self.run), "previous": prev, "drop": self.drop}


@dataclass(frozen=True, slots=True)
class Flip:
    case_id: str
    flips: int  # times its verdict changed between consecutive runs of one model
    runs: int  # runs that scored it


def series(points: Iterable[RunPoint], window: int = WINDOW) -> dict[str, list[TrendPoint]]:
    """Per model, its runs oldest first, each held against the `window` runs before it."""
    by_model: dict[str, list[RunPoint]] = {}
    for point in sorted(points, key=lambda p: (p.started_at, p.run_id)):
        by_model.setdefault(point.model_id, []).append(point)
    return {model: _held(runs, window) for model, runs in by_model.items()}


def _held(runs: Sequence[RunPoint], window: int) -> list[TrendPoint]:
    out = []
    for index, run in enumerate(runs):
        before = [r for r in runs[max(0, index - window) : index] if r.n]
        previous = expected_range(sum(r.passed for r in before), sum(r.n for r in before), run.n)
        drop = previous is not None and run.pass_rate is not None and run.pass_rate < previous[0]
        out.append(TrendPoint(run, previous, drop))
    return out


def expected_range(passed: int, n0: int, n: int) -> tuple[float, float] | None:
    """Where a run of `n` scored cases should land, 95% of the time, if it is like the pooled
    history of `passed` out of `n0`. None without a history (or for a run that scored nothing)."""
    if n0 <= 0 or n <= 0:
        return None
    p0 = passed / n0
    smoothed = (passed + 1) / (n0 + 2)
    v = smoothed * (1 - smoothed)
    half = Z95 * math.sqrt(v / n + v / n0)
    return max(0.0, p0 - half), min(1.0, p0 + half)


def flips(verdicts: Mapping[str, Sequence[Mapping[str, bool]]], top: int = 10) -> list[Flip]:
    """The cases whose verdict changes most often. `verdicts`: per model, its runs oldest first,
    each a {case_id: passed} mapping; a case missing from a run (not asked) neither flips nor
    counts there. Ties: more runs first, then case id."""
    changed: dict[str, int] = {}
    seen: dict[str, int] = {}
    for runs in verdicts.values():
        last: dict[str, bool] = {}
        for run in runs:
            for case_id, passed in run.items():
                seen[case_id] = seen.get(case_id, 0) + 1
                if case_id in last and last[case_id] != passed:
                    changed[case_id] = changed.get(case_id, 0) + 1
                last[case_id] = passed
    ranked = sorted(changed.items(), key=lambda item: (-item[1], -seen[item[0]], item[0]))
    return [Flip(case_id, count, seen[case_id]) for case_id, count in ranked[:top]]
