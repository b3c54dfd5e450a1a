"""`evaltui trends` and the Trends screen: a suite's completed runs as points over time (their
stored metrics), held against earlier runs (analysis/trends.py), and the cases whose verdict flips
most often. Runs that asked only part of the suite (`--only-failing`, `--limit`, `--tag`) and
rescores (the same answers again) are left out, each with why: their rates are not comparable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evaltui.analysis.trends import Flip, RunPoint, TrendPoint, flips, series
from evaltui.records import RunRecord

if TYPE_CHECKING:
    from evaltui.store import Store

MAX_RUNS = 500  # the newest runs of the suite read
FLIP_RUNS = 30  # the newest runs per model whose verdicts are compared case by case


@dataclass(frozen=True)
class Trends:
    suite: str
    series: dict[str, list[TrendPoint]]  # model id -> its runs, oldest first
    flips: list[Flip]
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (run id, why)

    @property
    def drops(self) -> list[TrendPoint]:
        return [p for points in self.series.values() for p in points if p.drop]

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "models": {model: [p.to_dict() for p in points] for model, points in self.series.items()},
            "drops": [p.run.run_id for p in self.drops],
            "flips": [{"case_id": f.case_id, "flips": f.flips, "runs": f.runs} for f in self.flips],
            "left_out": [{"run_id": run_id, "why": why} for run_id, why in self.left_out],
        }


def why_left_out(run: RunRecord) -> str | None:
    return not_whole(run) or ("no stored metrics (made by an older evaltui)" if run.metrics is None else None)


def not_whole(run: RunRecord) -> str | None:
    """Why a run's pass rate is not one of the whole suite answered afresh (None: it is)."""
    options = run.options or {}
    if options.get("rescore_of"):
        return f"a rescore of {options['rescore_of']} (the same answers)"
    if options.get("cases") or options.get("failing_of"):
        return "asked only the failing cases of another run"
    if options.get("limit") or options.get("tags"):
        return "asked part of the suite (--limit or --tag)"
    return None


def point_of(run: RunRecord) -> RunPoint:
    """A run with stored metrics (`why_left_out` said None) as a point of its model's series."""
    m = run.metrics
    assert m is not None
    return RunPoint(
        run_id=run.id,
        started_at=run.started_at,
        model_id=run.model_id,
        n=m.rate.n,
        passed=m.rate.passed,
        pass_rate=m.rate.pass_rate,
        lo=m.rate.lo,
        hi=m.rate.hi,
        p95_ms=m.latency_ms.p95,
        cost_usd=m.cost_usd,
    )


def suite_trends(store: Store, suite: str, *, model: str | None = None, top: int = 10) -> Trends:
    """Blocking (reads the store): call it in a worker thread from the TUI."""
    runs = list(reversed(store.list_runs(suite=suite, model=model, status="completed", limit=MAX_RUNS)))
    kept, left_out = [], []
    for run in runs:
        why = why_left_out(run)
        if why:
            left_out.append((run.id, why))
        else:
            kept.append(run)
    by_model = series(point_of(run) for run in kept)
    verdicts = {
        model_id: [_verdicts(store, p.run.run_id) for p in points[-FLIP_RUNS:]]
        for model_id, points in by_model.items()
    }
    return Trends(suite, by_model, flips(verdicts, top=top), left_out)


def _verdicts(store: Store, run_id: str) -> dict[str, bool]:
    """Each scored case's verdict in the run (its first epoch); errored cases were not judged."""
    rows = store.iter_results(run_id, columns=("case_id", "epoch", "status"))
    return {r.case_id: r.status == "pass" for r in rows if r.epoch == 0 and r.status != "error"}
