"""Planning a run: which (case, epoch) pairs it asks, a new run's id and the rows that put it in
the file (written by its result writer, first: `Plan.rows`) or, for a resume, what the run already
holds. Blocking (SQLite): the Runner calls it on a worker thread.

A fresh run also gets the metrics tally its results are folded into as they commit; a resumed
run's earlier results are only in the store, so its metrics are read from there at the end.

A resume asks what the run has not finished. It holds no set of the finished (case, epoch) keys:
the cases are walked in batches of RESUME_BATCH and each batch's results are looked up in the
store (`Store.result_statuses`, an indexed read), so memory does not grow with the run. A run of
only another run's failing cases (`RunOptions.failing_of`) chooses them the same way, from that
run's results: no list of case ids is held or kept with the run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import field
from typing import Any, TypeVar

from evaltui.analysis.metrics import MetricsTally
from evaltui.engine.prepare import PreparedCase, PreparedSuite, select_cases
from evaltui.engine.storage import FinishedRuns, RunRows, RunStore
from evaltui.errors import EvaltuiError
from evaltui.recordclass import record
from evaltui.records import HeldResults
from evaltui.suites.models import Case, ModelSpec, Suite


@record(frozen=True, slots=True)
class RunOptions:
    concurrency: int = 16
    limit: int | None = None
    tags: tuple[str, ...] = ()
    label: str | None = None
    epochs: int | None = None
    use_cache: bool = True
    retry_errors: bool = False
    group_id: str | None = None
    prices: dict[str, Any] = field(default_factory=dict)  # user price overrides (config)
    max_cost_usd: float | None = None  # this session stops asking at this spending (else the suite's)
    cases: tuple[str, ...] = ()  # only these case ids (an older evaltui's --only-failing kept them)
    failing_of: str | None = None  # only the cases that failed or errored in this run (--only-failing)
    # Kept with the run's options: the run it was made from ("rerun_of", "rescore_of": run id), its
    # prompt variant ("variant") and the templates that variant asked with ("prompt").
    links: dict[str, Any] = field(default_factory=dict)

    def started(self, epochs: int) -> dict[str, Any]:
        """What a new run keeps of its options (the run's `options`), for a resume to finish the
        run that was started (engine/resume.py reads them back), and the run it was made from."""
        kept: dict[str, Any] = {
            "limit": self.limit,
            "tags": list(self.tags),
            "epochs": epochs,
            "use_cache": self.use_cache,
            "concurrency": self.concurrency,
        }
        if self.cases:
            kept["cases"] = list(self.cases)
        if self.failing_of is not None:
            kept["failing_of"] = self.failing_of
        return kept | self.links


@record(frozen=True, slots=True)
class Plan:
    run_id: str
    # what this run (or resume) asks, in order: an iterator that renders each case as it is
    # reached, so the run never holds the suite's cases (engine/prepare.py)
    work: Iterator[tuple[PreparedCase, int]]
    to_ask: int  # how many (case, epoch) pairs `work` yields
    total: int  # results the run will hold (cases x epochs)
    already: HeldResults  # what a resumed run held before this session
    tally: MetricsTally | None  # a fresh run's metrics, folded as results commit
    epochs: int  # times each case is asked
    # a new run's rows (and its suite's, its cases'), not yet in the file: the run's result writer
    # writes them first, once the first requests are out (Store.new_run); None for a resume
    rows: RunRows | None = None


def plan_run(
    store: RunStore,
    prepared: PreparedSuite,
    model: ModelSpec,
    options: RunOptions,
    resume_run_id: str | None,
) -> Plan:
    epochs = options.epochs or prepared.suite.epochs
    already = HeldResults()
    tally = None
    if resume_run_id is not None:
        run_id = resume_run_id
        store.set_run_status(run_id, "running")
        already = store.held_results(run_id, without_errors=options.retry_errors)
    else:
        # only the cases under way kept; latencies counted, their percentiles read at the end
        tally = MetricsTally(epochs=epochs, latencies_in_store=True)
    if resume_run_id is None and not options.tags and not options.cases and options.failing_of is None:
        chosen = len(prepared.suite.cases)  # counted when the suite was loaded: no walk
        chosen = chosen if options.limit is None else min(chosen, options.limit)
        to_ask = chosen * epochs
    elif resume_run_id is not None:
        chosen = to_ask = 0
        cases = chosen_cases(store, prepared.suite, options)
        left_of = _unfinished(store, resume_run_id, cases, lambda case: case.id, epochs, options.retry_errors)
        for _, left in left_of:  # one walk: count the cases and what is left of them
            chosen, to_ask = chosen + 1, to_ask + len(left)
    else:  # one walk: count
        cases = chosen_cases(store, prepared.suite, options)
        chosen = sum(1 for _ in cases)
        to_ask = chosen * epochs
        if not chosen and options.tags and (error := _no_case_tagged(prepared, options.tags)):
            raise error
    total = chosen * epochs
    rows = None
    if resume_run_id is None:
        run_id, rows = store.new_run(
            prepared.suite,
            model=model,
            total=total,
            label=options.label,
            group_id=options.group_id,
            epochs=epochs,
            options=options.started(epochs),
        )
    selected = map(prepared.prepared, chosen_cases(store, prepared.suite, options))
    if resume_run_id is None:
        work: Iterator[tuple[PreparedCase, int]] = ((pc, e) for pc in selected for e in range(epochs))
    else:
        asked = _unfinished(store, run_id, selected, lambda pc: pc.case.id, epochs, options.retry_errors)
        work = ((pc, e) for pc, left in asked for e in left)
    return Plan(run_id, work, to_ask, total, already, tally, epochs, rows)


def _no_case_tagged(prepared: PreparedSuite, tags: tuple[str, ...]) -> EvaltuiError | None:
    """A tag no case of the suite has is a typo or a renamed tag, not a run of nothing (a run of no
    case passes no gate honestly and fails none): the error saying which tags the suite has; None
    when some case has one (another option, `--only-failing`, left none of them)."""
    known = sorted({tag for case in prepared.suite.cases for tag in case.tags})
    if set(tags) & set(known):
        return None
    has = f"its tags: {', '.join(known)}" if known else "its cases have no tags"
    return EvaltuiError(
        f"no case of suite {prepared.suite.name!r} has the tag {' or '.join(map(repr, tags))} ({has})"
    )


RESUME_BATCH = 256  # cases whose results a resume looks up at once
FAILING = ("fail", "error")
T = TypeVar("T")


def chosen_cases(store: RunStore | FinishedRuns, suite: Suite, options: RunOptions) -> Iterator[Case]:
    """The cases a run asks (`select_cases`); with `failing_of`, only those that failed or errored
    (in any epoch) in that run, looked up RESUME_BATCH cases at a time; the first `limit`."""
    cases = select_cases(suite, tags=options.tags, ids=options.cases)
    if options.failing_of is not None:
        cases = failing_in(store, options.failing_of, cases)
    return itertools.islice(cases, options.limit) if options.limit is not None else cases


def failing_in(store: RunStore | FinishedRuns, run_id: str, cases: Iterable[Case]) -> Iterator[Case]:
    """The cases that failed or errored in any epoch of the run, in the order given."""
    walk = iter(cases)
    while batch := list(itertools.islice(walk, RESUME_BATCH)):
        statuses = store.result_statuses(run_id, [case.id for case in batch])
        failing = {case_id for (case_id, _), status in statuses.items() if status in FAILING}
        yield from (case for case in batch if case.id in failing)


def epoch_statuses(
    store: RunStore | FinishedRuns, run_id: str, cases: Iterable[T], case_id: Callable[[T], str], epochs: int
) -> Iterator[tuple[T, list[str | None]]]:
    """Each case with the status of the run's result in each of its epochs (None: no result yet),
    in case order, looked up RESUME_BATCH cases at a time."""
    walk = iter(cases)
    while batch := list(itertools.islice(walk, RESUME_BATCH)):
        statuses = store.result_statuses(run_id, [case_id(case) for case in batch])
        for case in batch:
            key = case_id(case)
            yield case, [statuses.get((key, epoch)) for epoch in range(epochs)]


def _unfinished(
    store: RunStore,
    run_id: str,
    cases: Iterable[T],
    case_id: Callable[[T], str],
    epochs: int,
    retry_errors: bool,
) -> Iterator[tuple[T, list[int]]]:
    """Each case with the epochs a resume asks: those without a result (or, with `retry_errors`,
    with an error)."""
    for case, statuses in epoch_statuses(store, run_id, cases, case_id, epochs):
        left = [
            e for e, status in enumerate(statuses) if status is None or (retry_errors and status == "error")
        ]
        yield case, left
