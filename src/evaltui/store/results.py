"""Read queries over results. Every one pages or streams: a run may hold 100,000 results and the
TUI asks for one screenful at a time. Results are ordered as their cases are in the suite
(`position`, then `epoch`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from evaltui.records import Result, ResultPreview
from evaltui.store.annotations import label_column_sql, label_filter
from evaltui.store.codec import (
    PREVIEW_CHARS,
    RESULT_COLUMNS,
    decode_row,
    decode_text,
    json_like_pattern,
    json_preview,
    like_pattern,
    load_json,
    preview,
)
from evaltui.store.connection import ThreadConnections, read

# Enough bytes for PREVIEW_CHARS characters of UTF-8 output without reading all of a 5 MB answer.
# As a BLOB: text functions stop at a NUL character, byte functions do not.
_PREVIEW_BYTES = PREVIEW_CHARS * 4
PAGE_COLUMNS = (
    "r.run_id, r.case_id, r.epoch, r.position, r.status, r.value, r.latency_ms, r.tokens_in, "
    "r.tokens_out, r.cost_usd, r.attempts, r.cached, r.error, r.finished_at, c.tags, c.input, "
    f"substr(CAST(r.output AS BLOB), 1, {_PREVIEW_BYTES}) AS output_preview, "
    f"{label_column_sql('r')} AS label"
)
FROM_RESULTS = (
    "FROM results r JOIN runs u ON u.id = r.run_id "
    "LEFT JOIN cases c ON c.suite_id = u.suite_id AND c.case_id = r.case_id"
)
ORDER = " ORDER BY r.position, r.epoch, r.case_id"


def _filters(
    run_id: str,
    status: str | Sequence[str] | None,
    tag: str | None,
    search: str | None,
    label: str | None = None,
) -> tuple[str, list[Any]]:
    clauses, params = ["r.run_id = ?"], [run_id]
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        clauses.append(f"r.status IN ({', '.join('?' for _ in statuses)})")
        params += statuses
    if tag:
        clauses.append("EXISTS (SELECT 1 FROM json_each(c.tags) WHERE json_each.value = ?)")
        params.append(tag)
    if search:
        clauses.append(
            "(r.output LIKE ? ESCAPE '\\' OR c.input LIKE ? ESCAPE '\\' OR c.expected LIKE ? ESCAPE '\\')"
        )
        params += [like_pattern(search), json_like_pattern(search), json_like_pattern(search)]
    if label:
        clause, values = label_filter(label, "r")
        clauses.append(clause)
        params += values
    return " WHERE " + " AND ".join(clauses), params


def _page_row(row: dict[str, Any]) -> ResultPreview:
    row["output_preview"] = preview(row["output_preview"])
    row["input_preview"] = json_preview(row.pop("input"))
    row["error"] = decode_text(row["error"])
    return ResultPreview.from_row(decode_row(row))


# What `fresh_latencies` gives, bound to one run: (lo, hi, offset, limit) -> latencies.
LatencyReader = Callable[[float | None, float | None, int, int], list[float]]


def latencies_of(
    conn: sqlite3.Connection, run_id: str, lo: float | None, hi: float | None, offset: int, limit: int
) -> list[float]:
    """`ResultQueries.fresh_latencies` through a given connection (the result writer's, at a run's end)."""
    sql = "SELECT latency_ms FROM results WHERE run_id = ? AND status != 'error' AND cached = 0"
    params: list[Any] = [run_id]
    sql += " AND latency_ms IS NOT NULL" if lo is None else " AND latency_ms >= ?"
    params += [] if lo is None else [lo]
    if hi is not None:
        sql += " AND latency_ms < ?"
        params.append(hi)
    sql += " ORDER BY latency_ms LIMIT ? OFFSET ?"
    return [float(row[0]) for row in conn.execute(sql, (*params, limit, offset))]


class ResultQueries(ThreadConnections):
    def count_results(
        self,
        run_id: str,
        *,
        status: str | Sequence[str] | None = None,
        tag: str | None = None,
        search: str | None = None,
        label: str | None = None,
    ) -> int:
        where, params = _filters(run_id, status, tag, search, label)
        # the case's columns are only needed to filter on them: else a count of the run's rows alone
        source = FROM_RESULTS if tag or search else "FROM results r"
        row = self.query_one(f"SELECT count(*) AS n {source}{where}", params, what="results")
        return int(row["n"]) if row else 0

    def page_results(
        self,
        run_id: str,
        *,
        status: str | Sequence[str] | None = None,
        tag: str | None = None,
        search: str | None = None,
        label: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> list[ResultPreview]:
        """One page in case order, with `output_preview` and `input_preview` (not the full texts)
        and `label`, the case's current label in the run (None when it has none). `label` filters
        on it ("*": any label)."""
        where, params = _filters(run_id, status, tag, search, label)
        sql = f"SELECT {PAGE_COLUMNS} {FROM_RESULTS}{where}{ORDER} LIMIT ? OFFSET ?"
        return [_page_row(r) for r in self.query(sql, (*params, limit, offset), what="results")]

    def get_result(self, run_id: str, case_id: str, epoch: int = 0) -> Result | None:
        """The full result with its case's input, expected, vars and tags."""
        sql = (
            f"SELECT r.*, c.input, c.expected, c.vars, c.tags {FROM_RESULTS} "
            "WHERE r.run_id = ? AND r.case_id = ? AND r.epoch = ?"
        )
        row = self.query_one(sql, (run_id, case_id, epoch), what="a result")
        return Result.from_row(decode_row(row)) if row else None

    def neighbour(
        self,
        run_id: str,
        case_id: str,
        epoch: int,
        *,
        statuses: Sequence[str] = ("fail", "error"),
        step: int = 1,
    ) -> Result | None:
        """The next (step=+1) or previous (step=-1) result in case order whose status is one of
        `statuses`: stepping through failures. None at the end."""
        here = self.query_one(
            "SELECT position FROM results WHERE run_id = ? AND case_id = ? AND epoch = ?",
            (run_id, case_id, epoch),
            what="a result",
        )
        if here is None:
            return None
        compare, direction = (">", "ASC") if step > 0 else ("<", "DESC")
        marks = ", ".join("?" for _ in statuses)
        sql = (
            f"SELECT case_id, epoch FROM results WHERE run_id = ? AND status IN ({marks}) "
            f"AND (position, epoch, case_id) {compare} (?, ?, ?) "
            f"ORDER BY position {direction}, epoch {direction}, case_id {direction} LIMIT 1"
        )
        found = self.query_one(
            sql, (run_id, *statuses, here["position"], epoch, case_id), what="the next result"
        )
        return self.get_result(run_id, found["case_id"], found["epoch"]) if found else None

    def iter_tool_calls(self, run_id: str) -> Iterator[Result]:
        """The run's results that made tool calls, in case order, with only their case_id, epoch
        and tool_calls read."""
        sql = (
            "SELECT case_id, epoch, tool_calls FROM results WHERE run_id = ? AND tool_calls IS NOT NULL "
            "ORDER BY position, epoch, case_id"
        )
        for case_id, epoch, tool_calls in self.tuples(sql, (run_id,), what="the tool calls"):
            calls = load_json(tool_calls)
            kept = tuple(calls) if isinstance(calls, list) else ()
            yield Result(run_id, case_id, epoch=epoch, tool_calls=kept)

    def iter_results(self, run_id: str, columns: Sequence[str] = RESULT_COLUMNS) -> Iterator[Result]:
        """Every result of the run in case order, streamed (exports, reports). Only `columns` are
        read (run_id and case_id always); the others keep their defaults."""
        read = _selected(columns)
        sql = f"SELECT {read} FROM results WHERE run_id = ? ORDER BY position, epoch, case_id"
        for row in self.stream(sql, (run_id,), what="results"):
            yield Result.from_row(decode_row(row))

    def results_of(self, run_id: str, case_ids: Sequence[str], columns: Sequence[str]) -> dict[str, Result]:
        """The first-epoch results of these cases of the run, by case id (a batch of a walk over a
        suite: engine/rerun.py's rescore). Only `columns` are read, as for `iter_results`."""
        read = _selected(columns)
        marks = ", ".join("?" for _ in case_ids)
        sql = f"SELECT {read} FROM results WHERE run_id = ? AND epoch = 0 AND case_id IN ({marks})"
        rows = self.query(sql, (run_id, *case_ids), what="results")
        return {row["case_id"]: Result.from_row(decode_row(row)) for row in rows}

    def iter_metric_rows(self, run_id: str) -> Iterator[Result]:
        """What run metrics need, streamed case by case (in case-id order, a case's epochs
        together): each result with only its status, value, latency, tokens, cost, cached and its
        case's tags and cluster read (the rest at their defaults). The cases with tags or a cluster
        are read alongside in a query of their own, in the same order, and matched as both go
        (joining them row by row costs more than the whole read; holding them all grows with the
        suite)."""
        sql = (
            "SELECT c.case_id, c.tags, c.cluster FROM cases c JOIN runs u ON u.suite_id = c.suite_id "
            "WHERE u.id = ? AND (c.tags IS NOT NULL AND c.tags != '[]' OR c.cluster IS NOT NULL) "
            "ORDER BY c.case_id"
        )
        marked = self.tuples(sql, (run_id,), what="the run's cases")
        next_marked = next(marked, None)
        sql = (
            "SELECT case_id, epoch, status, value, latency_ms, tokens_in, tokens_out, cost_usd, cached "
            "FROM results WHERE run_id = ? ORDER BY case_id, epoch"
        )
        unmarked: tuple[tuple[str, ...], None] = ((), None)
        case_of, marks = None, unmarked
        for row in self.tuples(sql, (run_id,), what="results"):
            case_id, epoch, status, value, latency, tokens_in, tokens_out, cost, cached = row
            if case_id != case_of:
                case_of, marks = case_id, unmarked
                while next_marked is not None and next_marked[0] < case_id:
                    next_marked = next(marked, None)
                if next_marked is not None and next_marked[0] == case_id:
                    tags, cluster = next_marked[1], next_marked[2]
                    marks = (tuple(load_json(tags)) if tags else (), cluster)
            tags, cluster = marks
            yield Result(
                run_id,
                case_id,
                epoch=epoch,
                status=status,
                value=value,
                latency_ms=latency,
                tokens_in=tokens_in,
                tokens_out=tokens_out,
                cost_usd=cost,
                cached=bool(cached),
                tags=tags,
                cluster=cluster,
            )

    def fresh_latencies(
        self, run_id: str, lo: float | None, hi: float | None, offset: int, limit: int
    ) -> list[float]:
        """The run's latencies that count for its percentiles (analysis.metrics.fresh_latency:
        answered in the run, not cached, not errored) with lo <= latency < hi (None: unbounded),
        ascending, `limit` of them from the `offset`-th. SQLite sorts only the rows in the range,
        in its page cache and temporary files: memory does not grow with the run
        (analysis.histogram.exact_spread asks for the few rows around a percentile)."""
        return read(lambda: latencies_of(self.conn(), run_id, lo, hi, offset, limit), what="latencies")

    def result_statuses(self, run_id: str, case_ids: Sequence[str]) -> dict[tuple[str, int], str]:
        """(case_id, epoch) -> status of the run's results for these cases, every epoch (a batch of
        a walk over the suite: a resume looks up what is finished a batch at a time, by the
        results' key, instead of holding every key of the run)."""
        marks = ", ".join("?" for _ in case_ids)
        sql = f"SELECT case_id, epoch, status FROM results WHERE run_id = ? AND case_id IN ({marks})"
        rows = self.query(sql, (run_id, *case_ids), what="finished cases")
        return {(row["case_id"], row["epoch"]): row["status"] for row in rows}

    def count_failing_cases(self, run_id: str) -> int:
        """How many of the run's cases failed or errored in some epoch."""
        sql = "SELECT count(DISTINCT case_id) AS n FROM results WHERE run_id = ? AND status != 'pass'"
        row = self.query_one(sql, (run_id,), what="failing cases")
        return int(row["n"]) if row else 0

    def flaky_cases(self, run_id: str, limit: int) -> tuple[int, list[str]]:
        """How many of the run's cases passed in some epoch and failed in another, and the first
        `limit` of them in suite order."""
        sql = (
            "SELECT case_id FROM results WHERE run_id = ? AND status IN ('pass', 'fail') "
            "GROUP BY case_id HAVING count(DISTINCT status) = 2 ORDER BY min(position), case_id"
        )
        count, first = 0, []
        for (case_id,) in self.tuples(sql, (run_id,), what="flaky cases"):  # counted, not kept
            count += 1
            if count <= limit:
                first.append(case_id)
        return count, first

    def iter_case_ids(self, run_id: str, *, failing_only: bool = False) -> Iterator[str]:
        """The ids of the run's cases (`failing_only`: those that failed or errored in some
        epoch), in id order, streamed."""
        failing = " AND status != 'pass'" if failing_only else ""
        sql = f"SELECT DISTINCT case_id FROM results WHERE run_id = ?{failing} ORDER BY case_id"
        return (row[0] for row in self.tuples(sql, (run_id,), what="the run's cases"))

    def finished_keys(self, run_id: str, *, include_errors: bool = True) -> set[tuple[str, int]]:
        """(case_id, epoch) of the run's results, every one at once (for tests and small runs: a
        resume looks them up a batch at a time, `result_statuses`)."""
        sql = "SELECT case_id, epoch FROM results WHERE run_id = ?"
        if not include_errors:
            sql += " AND status != 'error'"
        return set(self.tuples(sql, (run_id,), what="finished cases"))


def _selected(columns: Sequence[str]) -> str:
    """The SELECT list of a read of `columns` of results (run_id and case_id always)."""
    unknown = set(columns) - {*RESULT_COLUMNS, "position"}
    if unknown:
        raise ValueError(f"unknown result columns: {sorted(unknown)}")
    return ", ".join(dict.fromkeys(("run_id", "case_id", *columns)))
