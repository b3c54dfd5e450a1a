"""Planning a run: which (case, epoch) pairs it asks, creating the run row or, for a resume,
reading what the run already holds. Blocking (SQLite): the Runner calls it on a worker thread.

A fresh run also gets the metrics tally its results are folded into as they commit; a resumed
run's earlier results are only in the store, so its metrics are read from there at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from evaltui.analysis.metrics import MetricsTally
from evaltui.engine.prepare import PreparedCase, PreparedSuite, select_cases
from evaltui.records import RunRecord
from evaltui.suites.models import ModelSpec


@dataclass(frozen=True, slots=True)
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
    cases: tuple[str, ...] = ()  # only these case ids (`--only-failing`); empty: every case
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
        return kept | self.links


@dataclass(frozen=True, slots=True)
class Plan:
    run_id: str
    # what this run (or resume) asks, in order: an iterator that renders each case as it is
    # reached, so the run never holds the suite's cases (engine/prepare.py)
    work: Iterator[tuple[PreparedCase, int]]
    to_ask: int  # how many (case, epoch) pairs `work` yields
    total: int  # results the run will hold (cases x epochs)
    already: dict[str, int]  # done, passed, failed, errors held before a resume
    tally: MetricsTally | None  # a fresh run's metrics, folded as results commit


def plan_run(
    store: Any,
    prepared: PreparedSuite,
    model: ModelSpec,
    options: RunOptions,
    resume_run_id: str | None,
) -> Plan:
    epochs = options.epochs or prepared.suite.epochs
    already: dict[str, int] = {}
    finished: set[tuple[str, int]] = set()
    tally = None
    if resume_run_id is not None:
        run_id = resume_run_id
        finished = store.finished_keys(run_id, include_errors=not options.retry_errors)
        store.refresh_counters(run_id)
        store.set_run_status(run_id, "running")
        already = _counts_of(store.get_run(run_id), options.retry_errors)
    else:
        # one epoch: nothing kept per case; latencies counted, their percentiles read at the end
        tally = MetricsTally(one_epoch=epochs == 1, latencies_in_store=True)
    if resume_run_id is None and epochs == 1 and not options.tags and not options.cases:
        chosen = len(prepared.suite.cases)  # counted when the suite was loaded: no walk
        chosen = to_ask = chosen if options.limit is None else min(chosen, options.limit)
    else:
        chosen = to_ask = 0
        for case in select_cases(
            prepared.suite, tags=options.tags, limit=options.limit, ids=options.cases
        ):  # one walk: count, and seed the tally (in suite order, for its flaky cases)
            chosen += 1
            to_ask += sum((case.id, e) not in finished for e in range(epochs))
            if tally is not None:
                tally.expect(case.id, case.tags, case.cluster)
    total = chosen * epochs
    if resume_run_id is None:
        suite_id = store.save_suite(prepared.suite)
        run_id = store.create_run(
            suite_id=suite_id,
            model=model,
            total=total,
            label=options.label,
            group_id=options.group_id,
            epochs=epochs,
            options=options.started(epochs),
        )
    selected = prepared.select(tags=options.tags, limit=options.limit, ids=options.cases)
    work = ((pc, e) for pc in selected for e in range(epochs) if (pc.case.id, e) not in finished)
    return Plan(run_id, work, to_ask, total, already, tally)


def _counts_of(run: RunRecord | None, retry_errors: bool) -> dict[str, int]:
    """What a resumed run already holds (the store's counters were just refreshed)."""
    counts = {key: getattr(run, key) if run else 0 for key in ("passed", "failed", "errors")}
    if retry_errors:
        counts["errors"] = 0
    counts["done"] = sum(counts.values())
    return counts
