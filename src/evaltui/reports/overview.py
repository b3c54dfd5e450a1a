"""One run as `evaltui show --json` prints it and the CI gate reports it: the run, its metrics, its
failing cases (each with its label), every annotation of the run by case, and the labels its cases
were given in earlier runs of the suite (hints). Read once from the store into a `RunOverview`;
`to_dict()` is the JSON, the gate's Markdown report reads the record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evaltui.recordclass import record
from evaltui.records import Result, ResultPreview, RunMetrics, RunRecord
from evaltui.reports.metrics import metrics_of
from evaltui.reports.verdicts import why
from evaltui.store import Store
from evaltui.store.annotations import Annotation

# What `show --json` prints of each failing case, in this order.
FAILURE_COLUMNS = (
    "case_id",
    "epoch",
    "status",
    "input",
    "expected",
    "output",
    "scores",
    "error",
    "tool_calls",
)


@record(frozen=True, slots=True)
class Failure:
    """A failing result with the preview of its output a table cell shows."""

    result: Result
    output_preview: str


@record(frozen=True, slots=True)
class RunOverview:
    run: RunRecord | None  # None: the run was deleted meanwhile
    metrics: RunMetrics
    failures_total: int  # failing and errored results in the run
    failures: tuple[Failure, ...]  # the first few of them, errors first
    labels: Mapping[str, str]  # each annotated case's current label in the run
    annotations: Mapping[str, tuple[Annotation, ...]]  # every annotation of the run, by case
    earlier_labels: Mapping[str, Annotation]  # the latest label each case got in an earlier run
    flaky_total: int = 0  # cases that passed in one epoch and failed in another
    flaky_cases: tuple[str, ...] = ()  # the first few of them, in suite order

    def to_dict(self) -> dict[str, Any]:
        """What `show --json` prints (and the gate's `--json` starts with)."""
        return {
            "run": None if self.run is None else self.run.as_dict(),
            "metrics": self.metrics.to_dict(),
            "failures_total": self.failures_total,
            "failures": [
                {k: f.result.column(k) for k in FAILURE_COLUMNS}
                | {"why": why(f.result), "label": self.labels.get(f.result.case_id)}
                for f in self.failures
            ],
            "annotations": {case: [a.as_dict() for a in found] for case, found in self.annotations.items()},
            "earlier_labels": {
                case: a.as_dict() | {"run_id": a.run_id} for case, a in self.earlier_labels.items()
            },
            "flaky_total": self.flaky_total,
            "flaky_cases": list(self.flaky_cases),
        }


def failures(store: Store, run_id: str, limit: int) -> tuple[int, list[Failure]]:
    """How many results failed or errored, and the first `limit` of them (errors first), in full."""
    count = store.count_results(run_id, status=("fail", "error"))
    rows: list[ResultPreview] = []
    for status in ("error", "fail"):
        if len(rows) < limit:
            rows += store.page_results(run_id, status=status, limit=limit - len(rows))
    full = []
    for row in rows:
        result = store.get_result(run_id, row.case_id, row.epoch) or Result(
            row.run_id, row.case_id, epoch=row.epoch, status=row.status, error=row.error
        )  # gone since the page was read (a resume replaced it): what the page said
        full.append(Failure(result, row.output_preview))
    return count, full


def run_overview(store: Store, run_id: str, limit: int = 20) -> RunOverview:
    count, rows = failures(store, run_id, limit)
    metrics = metrics_of(store, run_id)
    flaky_total, flaky = store.flaky_cases(run_id, limit) if metrics.flaky_share else (0, [])
    return RunOverview(
        run=store.get_run(run_id),
        metrics=metrics,
        failures_total=count,
        failures=tuple(rows),
        labels=store.labels(run_id),
        annotations={case: tuple(found) for case, found in store.case_notes(run_id).items()},
        earlier_labels=store.earlier_labels(run_id),
        flaky_total=flaky_total,
        flaky_cases=tuple(flaky),
    )
