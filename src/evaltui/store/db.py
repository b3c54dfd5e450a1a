"""`Store`: the one object the engine, CLI and TUI hold to reach the results database."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path
from typing import Any

from evaltui.store.annotations import AnnotationQueries
from evaltui.store.codec import dump_json, load_json
from evaltui.store.connection import read, retry_busy
from evaltui.store.results import ResultQueries
from evaltui.store.runs import RunQueries, now_iso
from evaltui.store.schema import open_database
from evaltui.store.writer import OnCommit, ResultWriter
from evaltui.suites.models import Suite

# OR IGNORE: another process may have saved the same suite (same content, same id) just now.
CACHE_GET = "SELECT completion FROM cache WHERE key = ?"
INSERT_SUITE = "INSERT OR IGNORE INTO suites (id, name, path, definition, created_at) VALUES (?, ?, ?, ?, ?)"
INSERT_CASE = (
    "INSERT OR IGNORE INTO cases (suite_id, case_id, position, input, expected, vars, tags, cluster) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
log = logging.getLogger(__name__)


class Store(RunQueries, ResultQueries, AnnotationQueries):
    """Open with `Store(path)`; see the package docstring for the whole API. Safe to share
    between threads (each thread reads through its own connection)."""

    def __init__(self, path: Path | str, *, create: bool = True, read_only: bool = False) -> None:
        path = Path(path).expanduser()
        super().__init__(path, open_database(path, create=create, read_only=read_only), read_only=read_only)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save_suite(self, suite: Suite) -> str:
        """Store the suite and its cases (in order); the id is a hash of the definition, so
        saving the same suite twice is one row, and a changed suite is a new one."""
        definition = dump_json(suite.model_dump(mode="json"))  # model_dump_json refuses lone surrogates
        suite_id = hashlib.sha256(definition.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        if self.query_one("SELECT 1 AS found FROM suites WHERE id = ?", (suite_id,), what="the suites"):
            sql = "UPDATE suites SET path = ? WHERE id = ?"
            self.write(lambda conn: conn.execute(sql, (suite.path, suite_id)), what="the suite path")
            return suite_id
        cases = [
            (
                suite_id, case.id, position, dump_json(case.input), dump_json(case.expected),
                dump_json(case.vars), dump_json(case.tags), case.cluster,
            )
            for position, case in enumerate(suite.cases)
        ]  # fmt: skip

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(INSERT_SUITE, (suite_id, suite.name, suite.path, definition, now_iso()))
            conn.executemany(INSERT_CASE, cases)

        self.write(insert, what=f"the suite {suite.name!r}")
        return suite_id

    def checkpoint(self) -> bool:
        """Copy everything in the write-ahead log into the database file and empty the log, so the
        `.db` file alone is complete (a CI artefact, a copy). True when done; False when another
        connection's open read kept part of the log (it is checkpointed by whoever ends last).
        Never raises: a run that ended is not undone by a checkpoint that could not be made."""
        try:
            busy, _, _ = retry_busy(lambda: self.conn().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())
        except sqlite3.Error as exc:
            log.warning("checkpoint of %s failed: %s", self.path, exc)
            return False
        return not busy

    def writer(self, on_commit: OnCommit | None = None) -> ResultWriter:
        return ResultWriter(self.path, on_commit)

    def cache_get(self, key: str) -> dict[str, Any] | None:
        """One lookup per case on the engine's loop: a bare fetchone, no row dicts."""
        row = read(lambda: self.conn().execute(CACHE_GET, (key,)).fetchone(), what="the cache")
        return load_json(row[0]) if row else None

    def cache_put(self, key: str, completion: dict[str, Any]) -> None:
        """One entry now; the engine batches its entries through `ResultWriter.put_cache` instead."""
        sql = "INSERT OR REPLACE INTO cache (key, completion, created_at) VALUES (?, ?, ?)"
        self.write(lambda conn: conn.execute(sql, (key, dump_json(completion), now_iso())), what="the cache")
