"""evaltui from Python, for notebooks and pytest: `load_suite`, `run_suite`, `compare_runs`.

    from evaltui import run_suite
    (summary,) = run_suite("evals/support.yaml", models=["demo:keyword"], db="evals.db")
    assert summary.pass_rate >= 0.9, summary.failures

Runs are the same runs `evaltui run` makes: stored in the same database (the TUI, `show` and
`compare` open them), with the same verdicts. `run_suite` blocks until its runs finish; called
where an event loop is already running (a Jupyter cell), it runs them on a thread of its own.
Errors are evaltui's own (`evaltui.errors`): a broken suite is a SuiteError naming file and line,
a missing API key a ProviderError before anything is asked.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaltui.analysis.metrics import Rate, RunMetrics
from evaltui.config import load_config
from evaltui.engine import RunOptions
from evaltui.engine.launch import launch_runners
from evaltui.errors import EvaltuiError
from evaltui.providers.keys import check_keys
from evaltui.records import Result, RunRecord
from evaltui.reports.comparison import Comparison
from evaltui.reports.comparison import compare_runs as _compare
from evaltui.reports.metrics import metrics_of
from evaltui.reports.verdicts import asked_of, asked_rate, why
from evaltui.store import Store
from evaltui.suites import load_suite, named_models
from evaltui.suites.limits import MAX_CONCURRENCY, MAX_EPOCHS
from evaltui.suites.models import ModelSpec, Suite

if TYPE_CHECKING:
    from evaltui.engine.runner import Runner

FAILURES_KEPT = 50  # failing results a summary carries in full; `failures_total` counts them all


@dataclass(frozen=True, slots=True)
class Failure:
    """A result that did not pass: `status` "fail" (a scorer said no) or "error" (not answered)."""

    case_id: str
    epoch: int
    status: str
    reason: str
    output: str
    expected: Any


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One run, as `evaltui show` reads it.

    `pass_rate` is what `--fail-under` checks: passed results over every result the run was
    asked for, an errored case counting as not passed. `rate` is the pass rate over the scored
    results with its 95% interval (`rate.lo`, `rate.hi`; Wilson, or clustered over epochs)."""

    run_id: str
    suite: str
    model: str
    status: str  # completed, interrupted, stopped (at its cost ceiling) or failed: see stop_reason
    pass_rate: float | None
    rate: Rate
    passed: int
    failed: int
    errors: int
    total: int
    p95_ms: float | None
    cost_usd: float | None  # None: unknown (some answer had no price), never 0 for unknown
    failures: tuple[Failure, ...]
    failures_total: int
    metrics: RunMetrics
    stop_reason: str | None = None


def _store(db: str | Path | None) -> Store:
    path = load_config(db_path=db).db_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return Store(path)


def _models(suite: Suite, models: Sequence[str | ModelSpec] | None) -> list[ModelSpec]:
    if not models:
        if not suite.models:
            raise EvaltuiError(
                f"suite {suite.name!r} names no models; pass models=['demo:keyword'] or others"
            )
        return list(suite.models)
    return named_models(suite, models)


def _failures(store: Store, run_id: str) -> tuple[Failure, ...]:
    rows = store.page_results(run_id, status=("error", "fail"), limit=FAILURES_KEPT)
    found = []
    for row in rows:
        full = store.get_result(run_id, row.case_id, row.epoch) or Result(
            row.run_id, row.case_id, epoch=row.epoch, status=row.status, error=row.error
        )  # gone since the page was read (a resume replaced it): what the page said
        found.append(
            Failure(
                case_id=full.case_id,
                epoch=full.epoch,
                status=full.status,
                reason=why(full),
                output=full.output or "",
                expected=full.expected,
            )
        )
    return tuple(found)


def summarize(store: Store, run_id: str) -> RunSummary:
    """The summary of a stored run (with why it ended early, as stored with it)."""
    run = store.get_run(run_id) or RunRecord(run_id)
    m = metrics_of(store, run)
    asked = asked_of(run, m)
    return RunSummary(
        run_id=run_id,
        suite=run.suite,
        model=run.model_id,
        status=run.status,
        pass_rate=asked_rate(m.passed, asked),
        rate=m.rate,
        passed=m.passed,
        failed=m.failed,
        errors=m.errors,
        total=m.total,
        p95_ms=m.latency_ms.p95,
        cost_usd=m.cost_usd,
        failures=_failures(store, run_id),
        failures_total=m.failed + m.errors,
        metrics=m,
        stop_reason=run.stop_reason,
    )


def _in_own_loop(runners: list[Runner]) -> list[str]:
    """Run the runners to the end on a new event loop: here, or on a thread when this thread
    already runs a loop (asyncio cannot nest one)."""

    async def main() -> list[str]:
        return list(await asyncio.gather(*(r.run() for r in runners)))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    done: dict[str, Any] = {}

    def work() -> None:
        try:
            done["ids"] = asyncio.run(main())
        except BaseException as exc:  # handed back to the caller's thread below
            done["error"] = exc

    thread = threading.Thread(target=work, name="evaltui-run")
    thread.start()
    thread.join()
    if "error" in done:
        raise done["error"]
    return done["ids"]


def run_suite(
    suite: str | Path | Suite,
    models: Sequence[str | ModelSpec] | None = None,
    *,
    db: str | Path | None = None,
    concurrency: int | None = None,
    limit: int | None = None,
    tags: Sequence[str] = (),
    label: str | None = None,
    epochs: int | None = None,
    use_cache: bool = True,
    variants: Sequence[str] = (),
) -> list[RunSummary]:
    """Run `suite` (a path, or a loaded Suite) against `models` (specs such as "demo:keyword", a
    suite model's id, or ModelSpecs; default the suite's own) and store the runs in `db` (default
    the database `evaltui` uses: $EVALTUI_DB or the user data folder). One summary per model, or
    per model and prompt variant (`model@variant`) for a suite with `prompts:` (`variants` picks
    some of them, as `evaltui run -p` does)."""
    _check_counts(concurrency=concurrency, limit=limit, epochs=epochs)
    loaded = suite if isinstance(suite, Suite) else load_suite(suite)
    specs = _models(loaded, models)
    check_keys(specs)
    config = load_config(db_path=db)
    options = RunOptions(
        concurrency=concurrency or config.concurrency,
        limit=limit,
        tags=tuple(tags),
        label=label,
        epochs=epochs,
        use_cache=use_cache,
        prices=dict(config.prices),
    )
    with _store(db) as store:
        runners = launch_runners(store, loaded, specs, options, variants=tuple(variants))
        run_ids = _in_own_loop(runners)
        return [summarize(store, run_id) for run_id in run_ids]


def _check_counts(**counts: int | None) -> None:
    """The ranges `evaltui run` holds its options to (a 0 would otherwise mean "the default")."""
    most = {"concurrency": MAX_CONCURRENCY, "epochs": MAX_EPOCHS, "limit": None}
    for name, value in counts.items():
        top = most[name]
        if value is not None and (value < 1 or (top is not None and value > top)):
            within = f"1 to {top}" if top is not None else "1 or more"
            raise EvaltuiError(f"run_suite: {name} must be {within}, got {value}")


def compare_runs(
    run_a: str | RunSummary, run_b: str | RunSummary, *, db: str | Path | None = None
) -> Comparison:
    """Run B compared with run A case by case (any run reference: id, prefix, label:NAME, latest):
    `.verdict`, `.paired` (difference, interval, McNemar p), `.regressions`, `.improvements`."""
    with _store(db) as store:
        ids = [r.run_id if isinstance(r, RunSummary) else store.resolve_run(r) for r in (run_a, run_b)]
        return _compare(store, ids[0], ids[1])


__all__ = ["Failure", "RunSummary", "compare_runs", "load_suite", "run_suite", "summarize"]
