"""Read queries for comparing runs: two runs merged case by case, streamed, a page of both runs'
cases, and "the run before".

Plain functions over a `Store` (any `ThreadConnections`), so the comparison reads exactly what it
needs without widening the Store class. Two runs of one epoch each are joined on the primary key
and counted inside SQLite (`one_epoch_pairs`). Runs with epochs are read in case-id order straight
off the results primary key (no sort) and merged in Python one case at a time
(`iter_case_pairs`). Either way two 100,000-case runs compare in constant memory. Whether two
outputs differ is decided inside SQLite (`IS NOT` on the full values), so a 5 MB answer is never
pulled into Python just to be compared.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from evaltui.store.connection import ThreadConnections

# Run A's results with, per epoch, whether run B's same epoch has a different output (compared in
# full inside SQLite). Both queries walk the results primary key in case-id order: no sort, and no
# GROUP BY (SQLite's aggregates cost more than folding the few epochs of a case in Python).
_ROWS_A = (
    "SELECT a.case_id, a.position, a.status, coalesce(a.output IS NOT b.output, 0) "
    "FROM results a LEFT JOIN results b ON b.run_id = ? AND b.case_id = a.case_id AND b.epoch = a.epoch "
    "WHERE a.run_id = ? ORDER BY a.case_id, a.epoch"
)
_ROWS_B = "SELECT case_id, position, status, 0 FROM results WHERE run_id = ? ORDER BY case_id, epoch"
_TOTALS = (  # tokens and cost spent: analysis.metrics.spent in SQL (a cached answer spends 0)
    "SELECT count(*) AS results, count(*) FILTER (WHERE status = 'pass') AS passed, "
    "count(*) FILTER (WHERE status = 'error') AS errors, "
    "coalesce(sum(tokens_in) FILTER (WHERE NOT cached), 0) AS tokens_in, "
    "coalesce(sum(tokens_out) FILTER (WHERE NOT cached), 0) AS tokens_out, "
    "coalesce(sum(cost_usd) FILTER (WHERE NOT cached), 0.0) AS cost_usd, "
    "count(*) FILTER (WHERE status != 'error' AND NOT cached AND cost_usd IS NULL) AS unpriced, "
    "count(*) FILTER (WHERE cached OR cost_usd IS NOT NULL) AS priced, "
    "count(*) FILTER (WHERE cached) AS cached, "
    "max(epoch) + 1 AS epochs FROM results WHERE run_id = ?"
)
# Two runs of one epoch each need no folding: the join on the primary key pairs them, and SQLite
# counts. Python then sees one row of counts and the cases whose verdict moved, instead of merging
# every case (bench/compare.py times the comparison of two 100,000-case runs).
_ONE_EPOCH_JOIN = (
    "FROM results a JOIN results b ON b.run_id = ? AND b.case_id = a.case_id AND b.epoch = 0 "
    "WHERE a.run_id = ? AND a.epoch = 0"
)
_ONE_EPOCH_COUNTS = (
    "SELECT count(*) AS shared, "
    "count(*) FILTER (WHERE a.status != 'error' AND b.status != 'error') AS paired, "
    "count(*) FILTER (WHERE a.status = 'error') AS errors_a, "
    "count(*) FILTER (WHERE b.status = 'error') AS errors_b, "
    "count(*) FILTER (WHERE a.status = 'pass' AND b.status = 'error') AS lost, count(*) FILTER "
    "(WHERE a.status = b.status AND a.status != 'error' AND a.output IS NOT b.output) AS changed "
    + _ONE_EPOCH_JOIN
)
_ONE_EPOCH_MOVED = (
    "SELECT a.case_id, a.position, a.status = 'pass' "
    + _ONE_EPOCH_JOIN
    + " AND a.status != b.status AND a.status != 'error' AND b.status != 'error'"
)
_ONE_EPOCH_CHANGED = (
    "SELECT a.case_id "
    + _ONE_EPOCH_JOIN
    + " AND a.status = b.status AND a.status != 'error' AND a.output IS NOT b.output ORDER BY a.case_id"
)
_ONE_EPOCH_IDS = (
    "SELECT case_id FROM results WHERE run_id = ? AND epoch = 0 UNION "
    "SELECT case_id FROM results WHERE run_id = ? AND epoch = 0 ORDER BY case_id"
)
_LATENCIES = (  # analysis.metrics.fresh_latency, in SQL: answers asked in this run, not cached ones
    "SELECT latency_ms FROM results "
    "WHERE run_id = ? AND status != 'error' AND NOT cached AND latency_ms IS NOT NULL"
)


@dataclass(frozen=True, slots=True)
class Side:
    """One run's epochs of one case, reduced to counts."""

    passed: int
    scored: int  # pass + fail
    errors: int

    @property
    def mean(self) -> float | None:
        """Share of scored epochs that passed; None when every epoch errored."""
        return self.passed / self.scored if self.scored else None


@dataclass(frozen=True, slots=True)
class CasePair:
    """A case id as the two runs saw it. `a` or `b` is None when that run has no result for it.
    `changed`: some epoch both runs answered has different full outputs."""

    case_id: str
    position: int | None
    a: Side | None
    b: Side | None
    changed: bool = False


@dataclass(frozen=True, slots=True)
class RunTotals:
    """What a run costs, how many answers came from the cache, and every fresh answer's latency
    (8 bytes each)."""

    results: int
    passed: int
    errors: int
    tokens_in: int
    tokens_out: int
    cost_usd: float | None  # None when some answered result has no known price, or none has one
    epochs: int
    latencies: array[float]  # of the answers asked in that run (not cached ones)
    cached: int = 0


def _cases(rows: Iterator[tuple]) -> Iterator[tuple[str, int | None, Side, bool]]:
    """Consecutive rows of one case id folded into (case_id, position, Side, changed)."""
    row = next(rows, None)
    while row is not None:
        case_id, position, status, changed = row
        passed, scored, errors = status == "pass", status != "error", status == "error"
        changed = bool(changed)
        row = next(rows, None)
        while row is not None and row[0] == case_id:  # further epochs of this case
            passed += row[2] == "pass"
            scored += row[2] != "error"
            errors += row[2] == "error"
            changed = changed or bool(row[3])
            row = next(rows, None)
        yield case_id, position, Side(int(passed), int(scored), int(errors)), changed


def iter_case_pairs(store: ThreadConnections, run_a: str, run_b: str) -> Iterator[CasePair]:
    """Every case id of either run, in case-id order, each run's epochs reduced to counts."""
    a_cases = _cases(store.tuples(_ROWS_A, (run_b, run_a), what="the first run's results"))
    b_cases = _cases(store.tuples(_ROWS_B, (run_b,), what="the second run's results"))
    a, b = next(a_cases, None), next(b_cases, None)
    while a is not None or b is not None:
        if a is not None and (b is None or a[0] < b[0]):
            yield CasePair(a[0], a[1], a[2], None)
            a = next(a_cases, None)
        elif b is not None and (a is None or b[0] < a[0]):
            yield CasePair(b[0], b[1], None, b[2])
            b = next(b_cases, None)
        elif a is not None and b is not None:  # the same case id in both
            yield CasePair(a[0], a[1], a[2], b[2], a[3])
            a, b = next(a_cases, None), next(b_cases, None)


@dataclass(frozen=True, slots=True)
class OneEpochPairs:
    """Two single-epoch runs joined on case id. `changed`: same verdict, different output.
    `moved`: (case_id, position, passed in A) of each case one run passed and the other failed."""

    shared: int
    paired: int  # neither run errored
    errors_a: int
    errors_b: int
    changed: int
    lost: int  # A passed, B errored
    moved: list[tuple[str, int | None, bool]]


_ONE_EPOCH_FIELDS = ("shared", "paired", "errors_a", "errors_b", "changed", "lost")


def one_epoch_pairs(store: ThreadConnections, run_a: str, run_b: str) -> OneEpochPairs:
    """What `iter_case_pairs` would yield for two runs of one epoch each, counted inside SQLite."""
    counts = store.query_one(_ONE_EPOCH_COUNTS, (run_b, run_a), what="the paired results") or {}
    moved = [
        (case_id, position, bool(passed_a))
        for case_id, position, passed_a in store.tuples(_ONE_EPOCH_MOVED, (run_b, run_a), what="moved cases")
    ]
    return OneEpochPairs(moved=moved, **{key: counts.get(key) or 0 for key in _ONE_EPOCH_FIELDS})


def one_epoch_case_lists(store: ThreadConnections, run_a: str, run_b: str) -> tuple[list[str], list[str]]:
    """For two runs of one epoch, in case-id order: the cases both scored alike whose outputs
    differ, and every case id of either run (what `iter_case_pairs` would list, read in SQLite)."""
    changed = [
        case_id for (case_id,) in store.tuples(_ONE_EPOCH_CHANGED, (run_b, run_a), what="changed cases")
    ]
    every = [case_id for (case_id,) in store.tuples(_ONE_EPOCH_IDS, (run_a, run_b), what="case ids")]
    return changed, every


def run_totals(store: ThreadConnections, run_id: str, *, latencies: bool = True) -> RunTotals:
    """Tokens, cost and epochs of a run; with `latencies`, every answered result's latency too."""
    row = store.query_one(_TOTALS, (run_id,), what="the run's totals") or {}
    values = (v for (v,) in store.tuples(_LATENCIES, (run_id,), what="latencies")) if latencies else ()
    latencies_ms = array("d", values)
    return RunTotals(
        results=row.get("results") or 0,
        passed=row.get("passed") or 0,
        errors=row.get("errors") or 0,
        tokens_in=row.get("tokens_in") or 0,
        tokens_out=row.get("tokens_out") or 0,
        cost_usd=None if row.get("unpriced") or not row.get("priced") else row.get("cost_usd"),
        epochs=row.get("epochs") or 1,
        latencies=latencies_ms,
        cached=row.get("cached") or 0,
    )


def previous_run(store: ThreadConnections, run_id: str) -> str | None:
    """The newest run started before `run_id` of the same suite (by name) and model."""
    sql = (
        "SELECT p.id FROM runs r JOIN runs p ON p.suite = r.suite AND p.model_id = r.model_id "
        "AND (p.started_at, p.id) < (r.started_at, r.id) "
        "WHERE r.id = ? ORDER BY p.started_at DESC, p.id DESC LIMIT 1"
    )
    row = store.query_one(sql, (run_id,), what="the previous run")
    return str(row["id"]) if row else None


def page_sides(
    store: ThreadConnections, run_a: str, run_b: str, case_ids: Sequence[str], preview: int
) -> dict[tuple[str, str], tuple[Side, str]]:
    """A page of a case table: per (run id, case id) of both runs, its epochs reduced to counts,
    and the first `preview` characters of its first epoch's error or output. One query."""
    if not case_ids:
        return {}
    marks = ", ".join("?" for _ in case_ids)
    sql = (
        "SELECT run_id, case_id, count(*) FILTER (WHERE status = 'pass') AS passed, "
        "count(*) FILTER (WHERE status != 'error') AS scored, "
        "count(*) FILTER (WHERE status = 'error') AS errors, max(CASE WHEN epoch = 0 "
        f"THEN substr(coalesce(error, output, ''), 1, {int(preview)}) END) AS preview "
        f"FROM results WHERE run_id IN (?, ?) AND case_id IN ({marks}) GROUP BY run_id, case_id"
    )
    rows = store.query(sql, [run_a, run_b, *case_ids], what="a page of cases")
    return {
        (r["run_id"], r["case_id"]): (Side(r["passed"], r["scored"], r["errors"]), r["preview"] or "")
        for r in rows
    }


@dataclass(frozen=True, slots=True)
class CaseVerdicts:
    """One case across several runs (a matrix): how many runs scored it and how many passed it."""

    case_id: str
    runs: int
    passing: int

    @property
    def split(self) -> bool:
        """Scored by two runs or more, and some passed it while others did not."""
        return self.runs >= 2 and 0 < self.passing < self.runs


def case_verdicts(store: ThreadConnections, run_ids: list[str]) -> Iterator[CaseVerdicts]:
    """Per case id across several runs: how many runs scored it and how many passed it (a run
    passes a case when at least half its scored epochs passed)."""
    marks = ", ".join("?" for _ in run_ids)
    sql = (
        "SELECT case_id, count(*) AS runs, sum(share >= 0.5) AS passing FROM ("
        "  SELECT run_id, case_id, avg(status = 'pass') AS share FROM results"
        f"  WHERE run_id IN ({marks}) AND status != 'error' GROUP BY run_id, case_id"
        ") GROUP BY case_id"
    )
    for case_id, runs, passing in store.tuples(sql, run_ids, what="the runs' verdicts"):
        yield CaseVerdicts(case_id, runs, passing)
