"""`Store`: the one object the engine, CLI and TUI hold to reach the results database."""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from evaltui.errors import StoreError, SuiteError
from evaltui.store.annotations import AnnotationQueries
from evaltui.store.codec import dump_json, load_json
from evaltui.store.connection import checkpoint, connect, read
from evaltui.store.results import ResultQueries
from evaltui.store.runs import RunQueries, now_iso
from evaltui.store.schema import open_database
from evaltui.store.writer import OnCommit, ResultWriter
from evaltui.suites.identity import definition_id
from evaltui.suites.models import Case, ModelSpec, Suite

# OR IGNORE: another process may have saved the same suite (same content, same id) just now.
CACHE_GET = "SELECT completion FROM cache WHERE key = ?"
INSERT_SUITE = "INSERT OR IGNORE INTO suites (id, name, path, definition, created_at) VALUES (?, ?, ?, ?, ?)"
INSERT_CASE = (
    "INSERT OR IGNORE INTO cases (suite_id, case_id, position, input, expected, vars, tags, cluster, extra) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# A case with no vars, tags, cluster or extra (most): the table's defaults give those columns the
# values INSERT_CASE would bind ('{}', '[]', NULL, NULL), four fewer values bound a row.
INSERT_PLAIN_CASE = (
    "INSERT OR IGNORE INTO cases (suite_id, case_id, position, input, expected) VALUES (?, ?, ?, ?, ?)"
)
INSERT_CASE_OF_WIDTH = {9: INSERT_CASE, 5: INSERT_PLAIN_CASE}
SELECT_CASES = (
    "SELECT case_id, input, expected, vars, tags, cluster, extra FROM cases "
    "WHERE suite_id = ? ORDER BY position"
)
# What a case holds beyond the columns of its row, kept as JSON in `extra` (NULL when it holds none).
CASE_EXTRA = {"scorers", "messages", "tool_results", "recorded"}
CASE_BATCH = 1000
_QUOTE = json.encoder.encode_basestring  # a text as json.dumps(text, ensure_ascii=False) writes it
log = logging.getLogger(__name__)


class Store(RunQueries, ResultQueries, AnnotationQueries):
    """Open with `Store(path)`; see the package docstring for the whole API. Safe to share
    between threads (each thread reads through its own connection)."""

    def __init__(self, path: Path | str, *, create: bool = True, read_only: bool = False) -> None:
        path = Path(path).expanduser()
        super().__init__(path, open_database(path, create=create, read_only=read_only), read_only=read_only)
        self._checkpointing: threading.Thread | None = None  # checkpoint_soon's thread, while it runs
        self._checkpoint_again = False  # asked for (again) since that thread's last checkpoint began
        self._checkpoint_lock = threading.Lock()
        self._writers: list[ResultWriter] = []  # those made: one that ended a run checkpoints after

    def close(self) -> None:
        """Wait for a checkpoint under way (`checkpoint_soon`, or a writer's after it ended a run),
        then close every connection."""
        with self._checkpoint_lock:
            thread, writers = self._checkpointing, self._writers
        if thread is not None:
            thread.join()
        for writer in writers:
            writer.wait()
        super().close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save_suite(self, suite: Suite) -> str:
        """Store the suite and its cases (in order); the id is a hash of the whole definition,
        cases included, so saving the same suite twice is one row, and a changed suite is a new one.

        The suite's row keeps its definition without the cases (`"cases": []`); each case is a row
        of `cases`, inserted as one walk reads them, so a suite read from case
        files (suites/caselist.py) is never held whole. The loader's walk hashed such a suite: a
        suite stored before is found without a walk, and the saving walk checks the case files'
        bytes against the loader's digest rather than hashing every case again."""
        known = getattr(suite.cases, "known_id", None)
        suite_id = known(suite) if known is not None else None
        hashed = suite_id is not None
        if suite_id is None:
            suite_id = definition_id(suite)

        def insert(conn: sqlite3.Connection) -> None:
            if not _put_suite(conn, suite, suite_id):
                return
            if hashed:  # the loader's walk hashed it: its case files' bytes are checked instead
                _insert_cases(conn, suite_id, suite.cases.unchanged())  # type: ignore[attr-defined]
            elif definition_id(suite, cases=_inserting(conn, suite_id, suite.cases)) != suite_id:
                raise SuiteError(
                    "the suite's case files changed while it was being run; run it again", file=suite.path
                )

        self.write(insert, what=f"the suite {suite.name!r}")
        return suite_id

    def new_run(
        self,
        suite: Suite,
        *,
        model: ModelSpec,
        total: int,
        label: str | None = None,
        group_id: str | None = None,
        epochs: int = 1,
        options: dict[str, Any] | None = None,
    ) -> tuple[str, Callable[[sqlite3.Connection], None]]:
        """A new run of `suite` (`create_run`'s arguments): its id, and the write that puts it in
        the file, for its result writer to make as its first transaction (`writer(first=...)`)
        once the run's first requests are out: the suite's row and its cases' rows (unless the
        file holds that suite), then the run's row. One transaction, before any result's on the
        same thread: the file never holds a suite without its cases, or a run without them; a
        process killed before it commits leaves nothing of the run (and had no result committed).

        Only cases held in memory are written so (a suite's inline cases, or those the loader's
        walk kept: suites/caselist.py): a suite read from its case files on each walk is saved
        here and now (`save_suite`), where its files found changed since loading are an error
        before anything is asked; then only the run's row is left to the writer. The suite's id
        is the loader's hash, or (a small suite's, which the loader leaves: suites/caselist.py)
        hashed by the write, from the held cases."""
        held_of = getattr(suite.cases, "held", None)  # a CaseList's; else the cases are a list
        held = held_of() if held_of is not None else list(suite.cases)
        run_id, insert_run = self.run_row(
            model=model, total=total, label=label, group_id=group_id, epochs=epochs, options=options
        )
        if held is None:
            saved = self.save_suite(suite)
            return run_id, lambda conn: insert_run(conn, saved)
        known = getattr(suite.cases, "known_id", None)
        known_id = known(suite) if known is not None else None

        def insert(conn: sqlite3.Connection) -> None:
            suite_id = known_id or definition_id(suite, cases=held)
            if _put_suite(conn, suite, suite_id):
                _insert_cases(conn, suite_id, held)
            insert_run(conn, suite_id)

        return run_id, insert

    def stored_suite(self, suite_id: str) -> tuple[dict[str, Any], str] | None:
        """A saved suite's definition without its cases (`"cases": []`; `iter_suite_cases` reads
        them) and the path it was loaded from; None when the file holds no such suite."""
        row = self.query_one(
            "SELECT definition, path FROM suites WHERE id = ?", (suite_id,), what="the run's suite"
        )
        return None if row is None else (load_json(row["definition"]), row["path"] or "")

    def iter_suite_cases(self, suite_id: str) -> Iterator[dict[str, Any]]:
        """A saved suite's cases in order, each as the fields `Case` is made from, streamed."""
        for case_id, input_, expected, variables, tags, cluster, extra in self.tuples(
            SELECT_CASES, (suite_id,), what="the suite's cases"
        ):
            case = {
                "id": case_id,
                "input": "" if input_ is None else load_json(input_),
                "expected": load_json(expected),
                "vars": load_json(variables),
                "tags": load_json(tags),
                "cluster": cluster,
            }
            if extra is not None:
                case.update(load_json(extra))
            yield case

    def checkpoint(self) -> bool:
        """Copy everything in the write-ahead log into the database file and empty the log, so the
        `.db` file alone is complete (a CI artefact, a copy). True when done; False when another
        connection's open read kept part of the log (it is checkpointed by whoever ends last).
        Never raises: a run that ended is not undone by a checkpoint that could not be made."""
        return checkpoint(self.conn(), self.path)

    def checkpoint_soon(self) -> None:
        """`checkpoint()` on a thread of its own, which waits on the disk's syncs while the caller
        goes on (a run's end: its summary is printed meanwhile). What is asked while one is under
        way is done once it ends, so everything written before the call is checkpointed. `close()`
        waits for it."""
        with self._checkpoint_lock:
            self._checkpoint_again = True
            if self._checkpointing is None:
                self._checkpointing = threading.Thread(target=self._checkpoints, name="evaltui-checkpoint")
                self._checkpointing.start()

    def _checkpoints(self) -> None:
        """checkpoint_soon's thread: checkpoints until none is asked for, through a connection of its
        own, closed after (a connection per thread would stay open until the store closes). Never
        raises, as `checkpoint()`: a run that ended is not undone by a checkpoint that could not be made."""
        try:
            conn = connect(self.path)
        except StoreError as exc:
            log.warning("checkpoint of %s failed: %s", self.path, exc)
            with self._checkpoint_lock:
                self._checkpointing, self._checkpoint_again = None, False
            return
        try:
            while True:
                with self._checkpoint_lock:
                    if not self._checkpoint_again:
                        self._checkpointing = None
                        return
                    self._checkpoint_again = False
                checkpoint(conn, self.path)
        finally:
            conn.close()

    def writer(
        self,
        on_commit: OnCommit | None = None,
        *,
        first: Callable[[sqlite3.Connection], None] | None = None,
        on_first: Callable[[], None] | None = None,
    ) -> ResultWriter:
        """The batched writer of results (store/writer.py); `first`, a new run's rows (`new_run`),
        is its first transaction, after which it calls `on_first`."""
        writer = ResultWriter(self.path, on_commit, first=first, on_first=on_first)
        with self._checkpoint_lock:
            self._writers = [w for w in self._writers if not w.done()] + [writer]
        return writer

    def cache_get(self, key: str) -> dict[str, Any] | None:
        """One lookup per case on the engine's loop: a bare fetchone, no row dicts."""
        row = read(lambda: self.conn().execute(CACHE_GET, (key,)).fetchone(), what="the cache")
        return load_json(row[0]) if row else None

    def cache_put(self, key: str, completion: dict[str, Any]) -> None:
        """One entry now; the engine batches its entries through `ResultWriter.put_cache` instead."""
        sql = "INSERT OR REPLACE INTO cache (key, completion, created_at) VALUES (?, ?, ?)"
        self.write(lambda conn: conn.execute(sql, (key, dump_json(completion), now_iso())), what="the cache")


def _put_suite(conn: sqlite3.Connection, suite: Suite, suite_id: str) -> bool:
    """The suite's row, in the caller's write transaction: when the file holds the suite already,
    only its path is brought up to date (False); else its row is inserted without its cases (True:
    the caller inserts them, in the same transaction)."""
    if conn.execute("SELECT 1 FROM suites WHERE id = ?", (suite_id,)).fetchone():
        conn.execute("UPDATE suites SET path = ? WHERE id = ?", (suite.path, suite_id))
        return False
    head = dump_json(suite.model_copy(update={"cases": []}).model_dump(mode="json"))
    conn.execute(INSERT_SUITE, (suite_id, suite.name, suite.path, head, now_iso()))
    return True


def _insert_cases(conn: sqlite3.Connection, suite_id: str, cases: Iterable[Case]) -> None:
    """Every case a row of the cases table, in order, each run of rows of one shape one executemany
    (which reads its rows as the walk makes them: the suite is never held)."""
    rows = (_case_row(suite_id, position, case) for position, case in enumerate(cases))
    for width, same in itertools.groupby(rows, len):
        conn.executemany(INSERT_CASE_OF_WIDTH[width], same)


def _inserting(conn: sqlite3.Connection, suite_id: str, cases: Iterable[Case]) -> Iterator[Case]:
    """`cases`, each also inserted into the cases table (a batch of rows of one shape at a time) as
    it passes."""
    batch: list[tuple[Any, ...]] = []
    for position, case in enumerate(cases):
        row = _case_row(suite_id, position, case)
        if batch and (len(row) != len(batch[0]) or len(batch) >= CASE_BATCH):
            conn.executemany(INSERT_CASE_OF_WIDTH[len(batch[0])], batch)
            batch = []
        batch.append(row)
        yield case
    if batch:
        conn.executemany(INSERT_CASE_OF_WIDTH[len(batch[0])], batch)


def _case_row(suite_id: str, position: int, case: Case) -> tuple[Any, ...]:
    """The values of a case's row: for INSERT_PLAIN_CASE when what it leaves out is the default."""
    extra = _extra(case)
    head = (suite_id, case.id, position, _value_json(case.input), _value_json(case.expected))
    if extra is None and not case.vars and not case.tags and case.cluster is None:
        return head
    return (
        *head, dump_json(case.vars) if case.vars else "{}", dump_json(case.tags) if case.tags else "[]",
        case.cluster, extra,
    )  # fmt: skip


def _value_json(value: Any) -> str:
    """`dump_json(value)` of a case's input or expected value; an ASCII text (most are) is quoted
    by json's own string encoder directly, the text json.dumps gives it."""
    if type(value) is str and value.isascii():
        return _QUOTE(value)
    return "null" if value is None else dump_json(value)


def _extra(case: Case) -> str | None:
    if case.scorers is None and case.messages is None and not case.tool_results and case.recorded is None:
        return None
    extra = case.model_dump(mode="json", include=CASE_EXTRA)
    if extra.get("scorers", 1) is None:
        del extra["scorers"]
    return dump_json(extra)
