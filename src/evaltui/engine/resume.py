"""Resuming a run finishes the run that was started: the same suite and model (read back from the
database: the suite file may have changed or be gone since) and the same options (the cases its
limit and tags chose, or those that failed in the run it reran, read again from that run; its
epochs, its cache setting, its concurrency, kept on the run by the Runner). What a resume may
choose anew: to ask the errored cases again (`retry_errors`), to ask the model instead of the
cache (`no_cache`: a run started with the cache off never uses it), and its concurrency, and its
cost ceiling (`max_cost_usd`, else the suite's: what the resume may spend).

    plan_resume(store, run_id, *, retry_errors=False, no_cache=False, concurrency=None,
                prices=None, limit=None, tags=(), max_cost_usd=None) -> ResumePlan
        EvaltuiError when the run is still running; StoreError when it or its suite is missing.
        `concurrency` None: as the run was started. `limit` and `tags` are read only for runs
        started before evaltui kept a run's options (their concurrency then defaults to 16).
    ResumePlan
        .run_id, .status (as the run was left), .prepared, .model, .options (RunOptions)
        .started -> dict | None            the options the run was started with (None: too old)
        .missing, .errors -> int           (case, epoch) pairs never finished / finished as errors
        .to_ask -> int                     what this resume asks the model
        .notes -> tuple[str, ...]          what the user should know before it starts
        .nothing_to_do() -> str | None     a completed run with nothing to ask: why (and whether
                                           retry_errors would ask its errored cases)
        .runner(store, subscribers=()) -> Runner     the resume, ready to `await .run()`

The CLI (`evaltui run --resume`) and the TUI's Resume and Retry-errors actions both go through
`plan_resume`; prepare it in a worker thread (it compiles the suite's scorers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evaltui.engine.plan import chosen_cases, epoch_statuses
from evaltui.engine.prepare import PreparedSuite, prepare
from evaltui.engine.runner import Runner, RunOptions, Subscriber
from evaltui.engine.storage import FinishedRuns, RunStore
from evaltui.errors import EvaltuiError, StoreError
from evaltui.records import RunRecord
from evaltui.suites.caselist import CaseList
from evaltui.suites.models import Case, ModelSpec, Suite


@dataclass(frozen=True, slots=True)
class ResumePlan:
    run_id: str
    status: str
    prepared: PreparedSuite
    model: ModelSpec
    options: RunOptions
    started: dict[str, Any] | None
    missing: int
    errors: int
    notes: tuple[str, ...] = ()

    @property
    def to_ask(self) -> int:
        return self.missing + (self.errors if self.options.retry_errors else 0)

    def nothing_to_do(self) -> str | None:
        """Why resuming would do nothing, for a completed run with nothing to ask; else None (an
        interrupted run with nothing missing is still resumed: that marks it completed)."""
        if self.to_ask or self.status != "completed":
            return None
        message = f"run {self.run_id} has nothing missing: every case it was started with has a result."
        if self.errors:
            message += (
                f" {self.errors} of them errored; to ask those again: "
                f"evaltui run --resume {self.run_id} --retry-errors"
            )
        return message

    def runner(self, store: RunStore, subscribers: tuple[Subscriber, ...] = ()) -> Runner:
        return Runner(
            store, self.prepared, self.model, self.options, resume_run_id=self.run_id, subscribers=subscribers
        )


def plan_resume(
    store: FinishedRuns,
    run_id: str,
    *,
    retry_errors: bool = False,
    no_cache: bool = False,
    concurrency: int | None = None,
    prices: dict[str, Any] | None = None,
    limit: int | None = None,
    tags: tuple[str, ...] = (),
    max_cost_usd: float | None = None,
) -> ResumePlan:
    run = store.get_run(run_id)
    if run is None:
        raise StoreError(f"no run {run_id!r} in {store.path}")
    if run.status == "running":
        raise EvaltuiError(
            f"run {run_id} is still running (process {run.pid} on {run.hostname}); "
            "stop it, or wait for it to end, before resuming it"
        )
    suite = _suite_of(store, run)
    model, notes = _model_of(run, suite)
    started = None if run.options is None else dict(run.options)
    cases: tuple[str, ...] = ()
    failing_of = None
    if started is not None:
        limit, tags = started["limit"], tuple(started["tags"])
        cases = tuple(started.get("cases") or ())
        failing_of = started.get("failing_of")
        use_cache = bool(started["use_cache"]) and not no_cache
        concurrency = concurrency or started["concurrency"]
    else:
        use_cache = not no_cache
        notes.append(
            f"run {run_id} was started by an older evaltui, which did not keep the options it was "
            f"started with: resumed with the cache {'on' if use_cache else 'off'}"
        )
    options = RunOptions(
        concurrency=concurrency or RunOptions().concurrency,
        limit=limit,
        tags=tags,
        label=run.label,
        epochs=run.epochs,
        use_cache=use_cache,
        retry_errors=retry_errors,
        group_id=run.group_id,
        prices=dict(prices or {}),
        max_cost_usd=max_cost_usd,
        cases=cases,
        failing_of=failing_of,
    )
    prepared = prepare(suite)
    epochs = options.epochs or 1
    wanted = missing = errors = 0
    chosen = chosen_cases(store, suite, options)
    # one walk, each batch of cases looked up in the store: no set of the run's keys is held
    for _, statuses in epoch_statuses(store, run_id, chosen, lambda case: case.id, epochs):
        wanted += epochs
        missing += statuses.count(None)
        errors += statuses.count("error")
    if failing_of is not None and wanted != run.total:
        raise EvaltuiError(
            f"run {run_id} asks the cases that failed in run {failing_of}, {run.total} results "
            f"(counting epochs) when it started; that run's failing cases now make {wanted}: "
            f"it changed since. Start a new run of its failing cases: evaltui run --only-failing {failing_of}"
        )
    if started is None and wanted != run.total:
        raise EvaltuiError(
            f"run {run_id} was started with {run.total} cases (counting epochs) by an older evaltui, "
            f"which did not keep how they were chosen; the limit and tags given now choose {wanted}. "
            "Give the --limit and --tag it was started with."
        )
    return ResumePlan(
        run_id=run_id,
        status=run.status,
        prepared=prepared,
        model=model,
        options=options,
        started=started,
        missing=missing,
        errors=errors,
        notes=tuple(notes),
    )


def _suite_of(store: FinishedRuns, run: RunRecord) -> Suite:
    """The run's suite as it was saved: its cases are read from the database on each walk, as
    a suite's case files are (suites/caselist.py), so a resume never holds them all."""
    stored = store.stored_suite(run.suite_id)
    if stored is None:
        raise StoreError(f"run {run.id}: its suite {run.suite_id} is not in {store.path}")
    definition, path = stored
    suite = Suite.model_validate(definition)
    suite_id = run.suite_id
    walk = CaseList((lambda: map(Case.model_validate, store.iter_suite_cases(suite_id)),))
    suite.cases = walk  # type: ignore[assignment]
    suite.path = path
    return suite


def _model_of(run: RunRecord, suite: Suite) -> tuple[ModelSpec, list[str]]:
    """The run's model. Its header values were not stored with the run (they may be secrets): a
    suite model it was started as gives them back; otherwise the resume goes without them."""
    config = dict(run.model_config)
    for model in suite.models:
        if model.public_config() == config:
            return model, []
    names = list(config.get("headers") or [])
    config["headers"] = {}
    notes = []
    if names:
        notes.append(
            f"the model's header values ({', '.join(names)}) were not kept with the run: resumed without them"
        )
    return ModelSpec.model_validate(config), notes
