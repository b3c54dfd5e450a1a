"""The runs of one launch (several models or prompt variants, one run group) as cases × models:
each model's run and metrics, the case ids (all, and those the models disagree on), and a page of
verdicts. Blocking reads of the store: the Matrix screen calls them from workers."""

from __future__ import annotations

from dataclasses import dataclass

from evaltui.records import RunMetrics, RunRecord
from evaltui.reports.metrics import metrics_of
from evaltui.store import Store
from evaltui.store.compare import case_verdicts

MAX_MODELS = 50


@dataclass(frozen=True, slots=True)
class Model:
    run: RunRecord
    metrics: RunMetrics


@dataclass(frozen=True, slots=True)
class CaseIds:
    every: list[str]  # in suite order
    disagree: list[str]  # scored by at least two models, passed by some but not all


def group_models(store: Store, group_id: str) -> list[Model]:
    """The group's runs by model id (`model@variant` for a prompt variant), each with its metrics.
    Not by start time: the runs of a launch start together, in whichever order their threads get
    to the database first. Blocking."""
    runs = sorted(store.list_runs(group_id=group_id, limit=MAX_MODELS), key=lambda r: (r.model_id, r.id))
    return [Model(run, metrics_of(store, run)) for run in runs]


def case_ids(store: Store, run_ids: list[str]) -> CaseIds:
    marks = ", ".join("?" for _ in run_ids)
    sql = (
        f"SELECT case_id FROM results WHERE run_id IN ({marks}) "
        "GROUP BY case_id ORDER BY min(position), case_id"
    )
    every = [row["case_id"] for row in store.stream(sql, run_ids, what="the group's cases")]
    split = {row.case_id for row in case_verdicts(store, run_ids) if row.split}
    return CaseIds(every, [case_id for case_id in every if case_id in split])


@dataclass(frozen=True, slots=True)
class VerdictRow:
    """One case of the matrix: each model's verdict on it (None: no result) and its input's start."""

    case_id: str
    cells: list[str | None]
    calls: list[int]  # how many tool calls each model's answer made
    input: str
    epoch: int = 0  # the diff opens the first epoch


def verdict_page(store: Store, runs: list[RunRecord], ids: list[str]) -> list[VerdictRow]:
    """Each model's verdict on these cases (pass when at least half its scored epochs passed,
    error when it could only error), the most tool calls one of its epochs made, and the case's
    input, in the order of `ids`."""
    if not ids:
        return []
    run_ids = [run.id for run in runs]
    run_marks, id_marks = ", ".join("?" for _ in run_ids), ", ".join("?" for _ in ids)
    sql = (
        "SELECT run_id, case_id, sum(status = 'pass') AS passed, sum(status != 'error') AS scored, "
        "max(coalesce(json_array_length(tool_calls), 0)) AS calls "
        f"FROM results WHERE run_id IN ({run_marks}) AND case_id IN ({id_marks}) GROUP BY run_id, case_id"
    )
    verdicts, calls = {}, {}
    for row in store.query(sql, [*run_ids, *ids], what="a page of verdicts"):
        scored = row["scored"]
        verdict = "error" if not scored else "pass" if row["passed"] / scored >= 0.5 else "fail"
        verdicts[(row["run_id"], row["case_id"])] = verdict
        calls[(row["run_id"], row["case_id"])] = int(row["calls"] or 0)
    inputs_sql = (
        "SELECT case_id, substr(input, 1, 200) AS input FROM cases "
        f"WHERE suite_id = ? AND case_id IN ({id_marks})"
    )
    inputs = {
        r["case_id"]: r["input"] for r in store.query(inputs_sql, [runs[0].suite_id, *ids], what="inputs")
    }
    rows = []
    for case_id in ids:
        cells = [verdicts.get((run_id, case_id)) for run_id in run_ids]
        counts = [calls.get((run_id, case_id), 0) for run_id in run_ids]
        rows.append(VerdictRow(case_id, cells, counts, inputs.get(case_id) or ""))
    return rows
