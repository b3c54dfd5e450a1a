"""Runs: creating them, finding them by any name a user types, and noticing dead ones."""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from evaltui.errors import StoreError
from evaltui.records import HeldResults, RunMetrics, RunRecord
from evaltui.store.codec import decode_row, dump_json
from evaltui.store.connection import ThreadConnections, read, row_dicts, write
from evaltui.suites.models import ModelSpec
from evaltui.version import __version__

RUN_STATUSES = ("running", "completed", "interrupted", "stopped", "failed")
RUN_FILTERS = {
    "suite": "suite = ?",
    "model": "model_id = ?",
    "label": "label = ?",
    "status": "status = ?",
    "group_id": "group_id = ?",
}

# Tokens and cost are what the run spent: analysis.metrics.spent in SQL (a cached answer spends 0).
COUNTERS_SQL = """
UPDATE runs SET (done, passed, failed, errors, tokens_in, tokens_out, cost_usd, cost_unknown) = (
    SELECT count(*), count(*) FILTER (WHERE status = 'pass'), count(*) FILTER (WHERE status = 'fail'),
           count(*) FILTER (WHERE status = 'error'),
           coalesce(sum(tokens_in) FILTER (WHERE NOT cached), 0),
           coalesce(sum(tokens_out) FILTER (WHERE NOT cached), 0),
           coalesce(sum(cost_usd) FILTER (WHERE NOT cached), 0.0),
           count(*) FILTER (WHERE status != 'error' AND NOT cached AND cost_usd IS NULL)
             -- every case errored: nothing priced and nothing cached, so unknown, not $0
             + (count(*) > 0 AND count(*) FILTER (WHERE cached OR cost_usd IS NOT NULL) = 0)
    FROM results WHERE run_id = :run
) WHERE id = :run
"""

HELD_SQL = """
SELECT count(*), count(*) FILTER (WHERE status = 'pass'), count(*) FILTER (WHERE status = 'fail'),
       count(*) FILTER (WHERE status = 'error'), count(*) FILTER (WHERE cached),
       coalesce(sum(tokens_in) FILTER (WHERE NOT cached), 0),
       coalesce(sum(tokens_out) FILTER (WHERE NOT cached), 0), sum(cost_usd) FILTER (WHERE NOT cached)
FROM results WHERE run_id = ?"""


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def new_run_id() -> str:
    """Sorts by start time (UTC, to the second); the random tail keeps same-second runs apart."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def process_alive(pid: int, claimed_at: datetime | None = None) -> bool:
    """Whether a process with this pid exists on this host and is not a zombie. With `claimed_at`
    (when the run's process took the run), a process started later is someone else's: the pid was
    given again after the run's own process died."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process, but alive: /proc still says when it started
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return True  # no /proc (not Linux): os.kill said it exists
    if fields[0] in ("Z", "X"):
        return False
    if claimed_at is None:
        return True
    started = _process_start(int(fields[19]))
    return started is None or started <= claimed_at + PID_REUSE_SLACK


# /proc/stat gives the boot time in whole seconds, and the wall clock may be stepped by NTP. A pid is
# given again only after the system has cycled through the others: far more than a minute later.
PID_REUSE_SLACK = timedelta(seconds=60)


def _process_start(ticks_after_boot: int) -> datetime | None:
    """A process's start time, from its /proc/PID/stat field (clock ticks after boot)."""
    try:
        lines = Path("/proc/stat").read_text().splitlines()
        boot = next(int(line.split()[1]) for line in lines if line.startswith("btime "))
    except (OSError, StopIteration, ValueError):
        return None
    return datetime.fromtimestamp(boot + ticks_after_boot / os.sysconf("SC_CLK_TCK"), UTC)


def _owner_alive(run: dict[str, Any]) -> bool:
    """The run's process still runs: its pid is alive and was not given to a newer process."""
    try:
        claimed = datetime.fromisoformat(run["claimed_at"]) if run.get("claimed_at") else None
    except ValueError:
        claimed = None
    if claimed is not None and claimed.tzinfo is None:
        claimed = claimed.replace(tzinfo=UTC)
    return process_alive(run["pid"], claimed)


def _where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for name, value in filters.items():
        if value is not None:
            clauses.append(RUN_FILTERS[name])
            params.append(value)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def end_run(
    conn: sqlite3.Connection, path: Path, run_id: str, status: str, metrics: RunMetrics, reason: str | None
) -> RunRecord:
    """`RunQueries.finish_run` through a given connection (the result writer's, whose last batch
    the run's end follows): one transaction. Returns the run as it was committed."""
    ends = tuple(s for s in RUN_STATUSES if s != "running")
    if status not in ends:
        raise StoreError(f"a run cannot finish as {status!r}; expected one of {ends}")
    kept = dump_json(metrics.to_dict())

    def end(conn: sqlite3.Connection) -> None:
        conn.execute(COUNTERS_SQL, {"run": run_id})
        sql = "UPDATE runs SET metrics = ?, status = ?, finished_at = ?, stop_reason = ? WHERE id = ?"
        if conn.execute(sql, (kept, status, now_iso(), reason, run_id)).rowcount != 1:
            raise StoreError(f"no run {run_id!r} in {path}")

    write(conn, end, what="the run's end")
    run = run_of(conn, run_id)
    assert run is not None  # its end was just written, in this connection's last transaction
    return run


def run_of(conn: sqlite3.Connection, run_id: str) -> RunRecord | None:
    """A run as the file holds it, read through `conn`; None when it holds no such run."""
    rows = read(lambda: row_dicts(conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,))), what="a run")
    return RunRecord.from_row(decode_row(rows[0])) if rows else None


class RunQueries(ThreadConnections):
    def create_run(
        self,
        *,
        suite_id: str,
        model: ModelSpec,
        total: int,
        label: str | None = None,
        group_id: str | None = None,
        epochs: int = 1,
        options: dict[str, Any] | None = None,
    ) -> str:
        """A new `running` run. `options` are what it was started with (limit, tags, epochs,
        use_cache, concurrency), kept so that a resume finishes this run and not another."""
        run_id, insert = self.run_row(
            model=model, total=total, label=label, group_id=group_id, epochs=epochs, options=options
        )
        self.write(lambda conn: insert(conn, suite_id), what="a new run")
        return run_id

    def run_row(
        self,
        *,
        model: ModelSpec,
        total: int,
        label: str | None = None,
        group_id: str | None = None,
        epochs: int = 1,
        options: dict[str, Any] | None = None,
    ) -> tuple[str, Callable[[sqlite3.Connection, str], None]]:
        """A new run's id and the insert of its `running` row (`create_run`'s), given its suite's
        id, inside a write transaction of the caller's; StoreError there when the file holds no
        such suite."""
        run_id, started = new_run_id(), now_iso()
        values = {
            "id": run_id, "model_id": model.id,
            "model_config": dump_json(model.public_config()), "status": "running",
            "started_at": started, "claimed_at": started, "total": total, "epochs": epochs, "label": label,
            "group_id": group_id, "version": __version__, "pid": os.getpid(),
            "hostname": socket.gethostname(), "options": None if options is None else dump_json(options),
        }  # fmt: skip
        columns = ", ".join(values)
        sql = (
            f"INSERT INTO runs ({columns}, suite_id, suite) SELECT {', '.join('?' for _ in values)}, id, "
            "name FROM suites WHERE id = ?"
        )
        path = self.path

        def insert(conn: sqlite3.Connection, suite_id: str) -> None:
            if conn.execute(sql, (*values.values(), suite_id)).rowcount != 1:
                raise StoreError(f"no suite {suite_id!r} in {path}; save the suite before its run")

        return run_id, insert

    def held_results(self, run_id: str, *, without_errors: bool = False) -> HeldResults:
        """What the run's stored results add up to (`without_errors`: leaving out the errored
        ones, which a resume with --retry-errors asks again)."""
        sql = HELD_SQL + (" AND status != 'error'" if without_errors else "")
        row = next(self.tuples(sql, (run_id,), what="a run's results"), None)
        return HeldResults(*row) if row else HeldResults()

    def get_run(self, run_id: str) -> RunRecord | None:
        return run_of(self.conn(), run_id)

    def list_runs(
        self,
        *,
        suite: str | None = None,
        model: str | None = None,
        label: str | None = None,
        status: str | None = None,
        group_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[RunRecord]:
        """Newest first."""
        where, params = _where(
            {"suite": suite, "model": model, "label": label, "status": status, "group_id": group_id}
        )
        sql = f"SELECT * FROM runs{where} ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?"
        rows = self.query(sql, (*params, limit, offset), what="the runs")
        return [RunRecord.from_row(decode_row(r)) for r in rows]

    def count_runs(
        self,
        *,
        suite: str | None = None,
        model: str | None = None,
        label: str | None = None,
        status: str | None = None,
        group_id: str | None = None,
    ) -> int:
        where, params = _where(
            {"suite": suite, "model": model, "label": label, "status": status, "group_id": group_id}
        )
        row = self.query_one(f"SELECT count(*) AS n FROM runs{where}", params, what="the runs")
        return int(row["n"]) if row else 0

    def run_names(self, *, suite: str | None = None) -> list[str]:
        """The suite names that have runs, or with `suite` the model ids that ran it, sorted: what a
        command names when a name typed matched none."""
        if suite is None:
            rows = self.query("SELECT DISTINCT suite AS name FROM runs ORDER BY 1", what="the runs")
        else:
            sql = "SELECT DISTINCT model_id AS name FROM runs WHERE suite = ? ORDER BY 1"
            rows = self.query(sql, (suite,), what="the runs")
        return [str(row["name"]) for row in rows]

    def resolve_run(self, ref: str) -> str:
        """A run id from what a user typed: an exact id, a unique prefix of one, "latest",
        "label:NAME" (the newest run with that label), or the id's last characters as a narrow
        runs list shows them (`…abc123`, or `abc123` when no id starts so)."""
        ref = ref.strip()
        order = " ORDER BY started_at DESC, id DESC LIMIT 1"
        if ref == "latest":
            row = self.query_one("SELECT id FROM runs" + order, what="the latest run")
            if row is None:
                raise StoreError(f"no runs yet in {self.path}")
            return str(row["id"])
        if ref.startswith("label:"):
            label = ref.removeprefix("label:")
            row = self.query_one("SELECT id FROM runs WHERE label = ?" + order, (label,), what="a run")
            if row is None:
                raise StoreError(f"no run labelled {label!r} in {self.path}")
            return str(row["id"])
        if self.query_one("SELECT id FROM runs WHERE id = ?", (ref,), what="a run"):
            return ref
        if not ref or ref == "…":
            raise StoreError("give a run id, a prefix of one, 'latest' or 'label:NAME'")
        if ref.startswith("…"):
            return self._one_of(ref, self._ending_with(ref.removeprefix("…")))
        rows = self.query(
            "SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
            (ref, ref + "\U0010ffff"),
            what="a run",
        )
        return self._one_of(ref, rows or self._ending_with(ref))

    def _ending_with(self, tail: str) -> list[dict[str, Any]]:
        sql = "SELECT id FROM runs WHERE substr(id, -?) = ? ORDER BY id LIMIT 6"
        return self.query(sql, (len(tail), tail), what="a run")

    def _one_of(self, ref: str, rows: list[dict[str, Any]]) -> str:
        if not rows:
            raise StoreError(f"no run matches {ref!r} (try `evaltui runs` to list them)")
        if len(rows) > 1:
            shown = ", ".join(r["id"] for r in rows[:5])
            raise StoreError(f"{ref!r} matches several runs ({shown}{', ...' if len(rows) > 5 else ''})")
        return str(rows[0]["id"])

    def set_run_status(self, run_id: str, status: str) -> None:
        """`running` (again, on resume) claims the run for this process; any other status ends it."""
        if status not in RUN_STATUSES:
            raise StoreError(f"unknown run status {status!r}; expected one of {RUN_STATUSES}")
        if status == "running":
            sql = (
                "UPDATE runs SET status = ?, finished_at = NULL, pid = ?, hostname = ?, claimed_at = ? "
                "WHERE id = ?"
            )
            params: tuple[Any, ...] = (status, os.getpid(), socket.gethostname(), now_iso(), run_id)
        else:
            sql = "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?"
            params = (status, now_iso(), run_id)

        def update(conn: sqlite3.Connection) -> None:
            if conn.execute(sql, params).rowcount != 1:
                raise StoreError(f"no run {run_id!r} in {self.path}")

        self.write(update, what="the run status")

    def refresh_counters(self, run_id: str) -> None:
        """Recompute done/passed/failed/errors, tokens and cost from the run's results."""
        self.write(lambda conn: conn.execute(COUNTERS_SQL, {"run": run_id}), what="the run counters")

    def set_run_metrics(self, run_id: str, metrics: RunMetrics) -> None:
        """Keep a run's metrics summary (analysis.metrics) so listings need not recompute it."""
        sql = "UPDATE runs SET metrics = ? WHERE id = ?"
        kept = dump_json(metrics.to_dict())
        self.write(lambda conn: conn.execute(sql, (kept, run_id)), what="the run metrics")

    def finish_run(self, run_id: str, status: str, metrics: RunMetrics, *, reason: str | None = None) -> None:
        """End a run in one transaction: its counters recounted from its results, its metrics
        kept, its status (anything but `running`), finish time and why it stopped early (`reason`)
        set. (A run written through the result writer ends there: `ResultWriter.finish_run`.)"""
        end_run(self.conn(), self.path, run_id, status, metrics, reason)

    def mark_stale_runs(self) -> list[str]:
        """Runs left `running` by a process that is gone (killed, crashed) become `interrupted`.
        Only runs started on this host are judged; this process's own runs are left alone."""
        host, me = socket.gethostname(), os.getpid()
        rows = self.query(
            "SELECT id, pid, claimed_at FROM runs WHERE status = 'running' AND hostname = ?",
            (host,),
            what="the runs",
        )
        stale = [r["id"] for r in rows if r["pid"] != me and not (r["pid"] and _owner_alive(r))]
        if stale:
            marks = ", ".join("?" for _ in stale)
            sql = (
                f"UPDATE runs SET status = 'interrupted', finished_at = ? "
                f"WHERE status = 'running' AND id IN ({marks})"
            )
            self.write(lambda conn: conn.execute(sql, (now_iso(), *stale)), what="stale runs")
            for run_id in stale:
                self.refresh_counters(run_id)
        return stale
