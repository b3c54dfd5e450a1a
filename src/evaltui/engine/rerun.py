"""From an earlier run to the next: ask again only what failed, score its answers again, or take
one of its outputs as the expected value.

    only_failing(store, run_id) -> Rerun       the suite as its file reads now, the run's model,
                                               and options choosing the cases that failed or
                                               errored in the run (any epoch: `failing_of`, read
                                               from its results as the new run walks its suite,
                                               no list of ids held or kept); options say `rerun_of`
    rescore(store, run_id) -> Rerun            the suite's current scorers over the run's stored
                                               outputs: each case answered by the `recorded`
                                               model with what the run's model said (and its
                                               latency as stored; no tokens, no cost: the rescore
                                               spends only what its judges do); nothing is asked
                                               but judges. Labelled "rescore of RUN", options say
                                               `rescore_of`. A case the run could not ask (an
                                               error) has no output and is an error again.

    accept_edit(store, run_id, case_id) -> Edit     the run's output of a failing case as the
                                               case's new expected value in the suite's source
                                               (suites/edit.py); `accepted(...)` marks the result

All three read the suite from the path the run's suite was loaded from (the point is to use what was
fixed there: a prompt, an expected value, a scorer); SuiteError when it cannot be loaded. Blocking:
call them in a worker thread.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaltui.engine.launch import variant_links
from evaltui.engine.plan import RunOptions, failing_in
from evaltui.engine.resume import _model_of
from evaltui.engine.storage import FinishedRuns
from evaltui.errors import EvaltuiError, StoreError
from evaltui.records import Result, RunRecord
from evaltui.suites.caselist import CaseList
from evaltui.suites.edit import Edit, plan_accept
from evaltui.suites.identity import IdHashes
from evaltui.suites.loader import load_suite, pick_variants
from evaltui.suites.models import Case, ModelSpec, Recorded, Suite


@dataclass(frozen=True, slots=True)
class Rerun:
    suite: Suite
    model: ModelSpec
    options: RunOptions
    cases: int  # how many cases the new run holds
    notes: tuple[str, ...] = ()  # what the user should know (cases left out, and why)


def current_suite(store: FinishedRuns, run: RunRecord) -> Suite:
    """The run's suite as its file reads now (as the run's prompt variant asks it, for a run of one)."""
    stored = store.stored_suite(run.suite_id)
    path = stored[1] if stored else ""
    if not path:
        raise StoreError(f"run {run.id}: its suite's file is not known (it was not loaded from a file)")
    if not Path(path).is_file():
        raise EvaltuiError(f"run {run.id}: its suite file {path} is gone")
    suite = load_suite(path)
    variant = (run.options or {}).get("variant")
    if variant is None and suite.prompts:
        raise EvaltuiError(f"run {run.id} asked one prompt; its suite now has variants: run it again instead")
    return pick_variants(suite, (variant,))[0][1] if variant else suite


def _variant_links(run: RunRecord, suite: Suite) -> dict[str, Any]:
    """A run of a prompt variant: the new run keeps the variant and the templates it asks with now."""
    variant = (run.options or {}).get("variant")
    return {} if variant is None else variant_links(variant, suite)


def _run(store: FinishedRuns, run_id: str) -> RunRecord:
    run: RunRecord | None = store.get_run(run_id)
    if run is None:
        raise StoreError(f"no run {run_id!r} in {store.path}")
    if run.status == "running":
        raise EvaltuiError(f"run {run_id} is still running; wait for it to end")
    return run


def only_failing(store: FinishedRuns, run_id: str, options: RunOptions | None = None) -> Rerun:
    run = _run(store, run_id)
    suite = current_suite(store, run)
    failing = store.count_failing_cases(run_id)
    if not failing:
        raise EvaltuiError(f"run {run_id} has no failed or errored case to ask again")
    present = sum(1 for _ in failing_in(store, run_id, suite.cases))  # one walk: the suite may be large
    notes = []
    if present < failing:
        gone = _gone(store.iter_case_ids(run_id, failing_only=True), suite, failing - present)
        notes.append(
            f"{failing - present} failing case(s) of run {run_id} are no longer in the suite: "
            + ", ".join(gone)
        )
    if not present:
        raise EvaltuiError(f"none of run {run_id}'s failing cases is in the suite any more")
    model, model_notes = _model_of(run, suite)
    options = dataclasses.replace(
        options or RunOptions(),
        failing_of=run_id,
        links={"rerun_of": run_id, **_variant_links(run, suite)},
        epochs=run.epochs,
    )
    return Rerun(suite, model, options, present, tuple(notes + model_notes))


def _gone(run_ids: Iterator[str], suite: Suite, count: int) -> list[str]:
    """The first few of a run's case ids (streamed, in id order) that are no longer in the suite,
    `count` of them gone in all: the suite's ids met in a walk (their hashes, in memory that stops
    growing), then the run's ids looked up."""
    met = IdHashes()
    for case in suite.cases:
        met.add(hash(case.id))
    gone: list[str] = []
    for case_id in run_ids:
        if not met.add(hash(case_id)):
            gone.append(case_id)
            if len(gone) == min(count, 5):
                break
    return gone


def rescore(store: FinishedRuns, run_id: str, options: RunOptions | None = None) -> Rerun:
    run = _run(store, run_id)
    if run.epochs > 1:
        raise EvaltuiError(
            f"run {run_id} asked each case {run.epochs} times; rescore takes runs of one epoch"
        )
    suite = current_suite(store, run)
    cases = CaseList((lambda: _answered(store, run, suite.cases),))  # read as each walk goes
    kept = 0
    tags: Counter[str] = Counter()
    errored = 0
    own_scorers = False
    for case in cases:  # one walk: what the new run holds, and what the notes say
        kept += 1
        tags.update(case.tags)
        errored += case.recorded is None
        own_scorers = own_scorers or case.scorers is not None
    if not kept:
        raise EvaltuiError(f"none of run {run_id}'s cases is in the suite any more")
    cases.counted(kept, tags, own_scorers)
    notes = []
    if (count := store.count_results(run_id) - kept) > 0:  # some case is gone from the suite
        gone = _gone(store.iter_case_ids(run_id), suite, count)
        notes.append(f"{count} case(s) of run {run_id} are no longer in the suite: {', '.join(gone)}")
    if errored:
        notes.append(f"{errored} case(s) errored in run {run_id} (no output to score): errors again")
    rescored = suite.model_copy(update={"cases": cases})
    rescored.path = suite.path
    model = ModelSpec(id=run.model_id, provider="recorded", model=str(run.model_config.get("model") or ""))
    options = dataclasses.replace(
        options or RunOptions(),
        label=f"rescore of {run_id}",
        use_cache=False,
        links={"rescore_of": run_id, **_variant_links(run, suite)},
    )
    return Rerun(rescored, model, options, kept, tuple(notes))


RESCORED_COLUMNS = ("status", "output", "latency_ms", "tool_calls", "steps")
RESCORE_BATCH = 500


def _answered(store: FinishedRuns, run: RunRecord, cases: Iterable[Case]) -> Iterator[Case]:
    """The suite's cases the run has a result for, each answered by the `recorded` model with
    what the run's model said; the results are read a batch of cases at a time, never all held."""
    walk = iter(cases)
    while batch := list(itertools.islice(walk, RESCORE_BATCH)):
        found = store.results_of(run.id, [case.id for case in batch], RESCORED_COLUMNS)
        for case in batch:
            row = found.get(case.id)
            if row is not None:
                yield case.model_copy(update={"recorded": _recorded(row, run)})


def _recorded(row: Result, run: RunRecord) -> Recorded | None:
    if row.status == "error" or row.output is None:
        return None
    return Recorded(
        output=row.output,
        latency_ms=row.latency_ms,
        cost_usd=0.0,  # said by this run: nothing was spent on it
        model=run.model_id,
        tool_calls=row.column("tool_calls"),
        steps=row.column("steps"),
    )


def accept_edit(store: FinishedRuns, run_id: str, case_id: str, epoch: int = 0) -> Edit:
    """The edit writing the run's output for a failing case as its expected value. EvaltuiError
    says why not (it passed, it errored, the case has no expected value, …)."""
    run = _run(store, run_id)
    result = store.get_result(run_id, case_id, epoch)
    if result is None:
        raise EvaltuiError(f"run {run_id} has no result for case {case_id!r}")
    if result.status == "error" or result.output is None:
        raise EvaltuiError(f"case {case_id!r} errored in run {run_id}: there is no output to accept")
    if result.status == "pass":
        raise EvaltuiError(f"case {case_id!r} passed in run {run_id}: nothing to accept")
    return plan_accept(current_suite(store, run), case_id, result.output)


def accepted(store: FinishedRuns, run_id: str, case_id: str, edit: Edit) -> None:
    """Mark the run's result: its output is now the case's expected value."""
    store.mark_accepted(run_id, case_id, f"output written as expected in {edit.where}")
