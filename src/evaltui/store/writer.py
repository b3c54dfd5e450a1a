"""The one batched writer: callers hand it `Result`s without waiting, a thread commits them.

Batches of up to `BATCH_ROWS` results, or whatever arrived within `BATCH_SECONDS` of the first,
go in one transaction each (a transaction per case would cap a run at a few hundred cases a
second and hold the write lock far more often). `on_commit(results)` runs after the commit, so a
watcher told a case finished can rely on it being in the file even if the process is killed.

A run's own end is written by this thread too (`finish_run`), right after its last batch, and the
thread then copies the write-ahead log into the .db file through the connection it has open, while
the end is told: no other thread and connection to start and hand work to as the run ends. The
last batch itself never copies the log, even past SQLite's checkpoint size (where a commit does so
before it returns): the run's end is told first, and that copy (or, after a plain `close`,
`Store.checkpoint_soon`) follows.

A new run's rows (its suite's, its cases', its own: `Store.new_run`) can be the thread's first
transaction (`first`), made once the run's first requests are out (`begin`, or a flush or close);
every result commits after it.

When SQLite falls behind (a slow disk, another process holding the write lock), at most MAX_QUEUED
items wait: a `put` past them waits for the next commit, so the engine slows to the disk's pace
instead of holding ever more results in memory.

One result never costs the others: a result whose values SQLite cannot hold (a token count past 64
bits, a text past SQLite's size limit, a value of a type it does not store) is written as an
`error` result saying why, and the rest of its batch is written as it was. Only a failure that is not about
one row's values (the disk, the lock, a run that does not exist) stops the thread; it is kept and
raised to the caller on its next put/flush/close.
"""

from __future__ import annotations

import functools
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evaltui.errors import StoreError
from evaltui.recordclass import record
from evaltui.records import Result, RunMetrics, RunRecord
from evaltui.store.codec import RESULT_COLUMNS, dump_json, encode_result
from evaltui.store.connection import checkpoint, connect, write
from evaltui.store.results import LatencyReader, latencies_of
from evaltui.store.runs import end_run

BATCH_ROWS = 500
BATCH_SECONDS = 0.05
MAX_QUEUED = 20 * BATCH_ROWS  # items waiting past which `put` waits for a commit (backpressure)
STATUSES = ("pass", "fail", "error")
OnCommit = Callable[[list[Result]], None]
# What one row's values can raise on its way into SQLite. sqlite3.OperationalError (disk full, I/O,
# locked) and DatabaseError (a corrupt file) are about the database, not the row: never caught here.
ROW_FAULTS = (
    OverflowError,
    ValueError,
    TypeError,
    RecursionError,  # a JSON column nested past the interpreter's depth (or inside itself)
    sqlite3.DataError,
    sqlite3.IntegrityError,
    sqlite3.InterfaceError,
    sqlite3.ProgrammingError,
)
log = logging.getLogger(__name__)

_PLACEHOLDERS = ", ".join("?" for _ in RESULT_COLUMNS)
# The case's position in its suite, looked up by the run's suite id: the writer reads that id once
# a run (`ResultWriter._suite_of`) rather than a subquery on `runs` for every row.
_RESULT_VALUES = (
    f"INTO results ({', '.join(RESULT_COLUMNS)}, position) VALUES ({_PLACEHOLDERS}, "
    "(SELECT position FROM cases WHERE suite_id = ? AND case_id = ?))"
)
INSERT_RESULT = f"INSERT OR REPLACE {_RESULT_VALUES}"
# A batch is first written as new rows: SQLite inserts a row with less work when no conflict is to
# be resolved. A batch with a result that replaces one kept (a resumed run asks an error again) is
# then written again with INSERT_RESULT, in the same transaction.
ADD_RESULT = f"INSERT {_RESULT_VALUES}"
SUITE_OF_RUN = "SELECT suite_id FROM runs WHERE id = ?"
INSERT_CACHE = "INSERT OR REPLACE INTO cache (key, completion, created_at) VALUES (?, ?, ?)"


@record(frozen=True, slots=True)
class _CacheEntry:
    key: str
    completion: dict[str, Any]


_STOP = object()


class ResultWriter:
    def __init__(
        self,
        path: Path,
        on_commit: OnCommit | None = None,
        *,
        first: Callable[[sqlite3.Connection], None] | None = None,
        on_first: Callable[[], None] | None = None,
    ) -> None:
        self._path = path
        self._on_commit = on_commit
        self._first = first  # a new run's rows (Store.new_run): the thread's first transaction
        self._on_first = on_first  # called once that has committed
        self._begin = threading.Event()  # `first` waits for it: `begin()`, or anything waiting on it
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._hurry = threading.Event()  # set by flush and close: stop letting a batch gather
        self._room = threading.Event()  # set after each commit: a `put` waiting for room looks again
        self._error: BaseException | None = None
        self._closed = False
        self._ending: Callable[[sqlite3.Connection], Any] | None = None  # the run's end (finish_run)
        self._end: Any = None  # what `_ending` returned
        self._ended = threading.Event()  # set once `_ending` has run, or the thread failed
        self._conn = connect(path)
        self._suites: dict[Any, str] = {}  # run id -> its suite id (the writer thread only)
        self._thread = threading.Thread(target=self._run, name="evaltui-result-writer", daemon=True)
        self._thread.start()

    def put(self, result: Result) -> None:
        """Queue one result (its case's columns are not stored: the case row holds them). Waits on
        the disk only when MAX_QUEUED items are waiting already."""
        self._check()
        if not result.run_id or not result.case_id or result.status not in STATUSES:
            raise StoreError(f"a result needs run_id, case_id and a status in {STATUSES}: {result!r:.200}")
        if self._queue.qsize() >= MAX_QUEUED:
            self._wait_for_room()
        self._queue.put(result)

    def begin(self) -> None:
        """Let the thread make its first transaction (`first`): the run's first requests are out.
        Before them, its work (Python, most of it) would take turns at the interpreter with theirs."""
        self._begin.set()

    def _wait_for_room(self) -> None:
        """Wait until the writer thread has taken the queue under MAX_QUEUED (or has stopped)."""
        self._begin.set()
        self._hurry.set()
        while self._queue.qsize() >= MAX_QUEUED and self._thread.is_alive():
            self._room.clear()
            if self._queue.qsize() < MAX_QUEUED:
                break
            self._room.wait(0.1)
        self._raise_error()

    def put_cache(self, key: str, completion: dict[str, Any]) -> None:
        """Queue a response-cache entry; it commits with the next batch of results."""
        self._check()
        self._queue.put(_CacheEntry(key, completion))

    def flush(self) -> None:
        """Wait until everything put so far is committed (and its on_commit has run)."""
        self._check()
        done = threading.Event()
        self._queue.put(done)
        self._begin.set()
        self._hurry.set()
        while not done.wait(0.1):
            if not self._thread.is_alive():
                break
        self._check()

    def close(self) -> None:
        """Commit everything pending and stop the thread. Safe to call twice."""
        if self._closed:
            return
        self._stop(None)
        self._thread.join()
        self._raise_error()

    def finish_run(
        self,
        run_id: str,
        status: str,
        metrics: Callable[[LatencyReader], RunMetrics],
        *,
        reason: str | None = None,
    ) -> RunRecord:
        """`close()`, ending the run as `Store.finish_run` does on the writer's thread and connection,
        once its last batch is committed and that batch's on_commit has run: `metrics` is called
        there, with a reader of the run's latencies through that connection. Returns the run as its
        end was committed, without waiting for what the thread then does: copy the write-ahead log
        into the .db file (`Store.checkpoint`, which `wait` and the store's close wait for). Nothing
        is ended when a write failed (StoreError)."""

        def ending(conn: sqlite3.Connection) -> RunRecord:
            kept = metrics(functools.partial(latencies_of, conn, run_id))
            return end_run(conn, self._path, run_id, status, kept, reason)

        if self._closed:
            raise StoreError("the result writer is closed; end the run with Store.finish_run")
        self._stop(ending)
        while not self._ended.wait(0.1):
            if not self._thread.is_alive():
                break
        self._raise_error()
        assert isinstance(self._end, RunRecord)
        return self._end

    def done(self) -> bool:
        """Its thread has ended: closed (its checkpoint done), or failed."""
        return not self._thread.is_alive()

    def wait(self) -> None:
        """Wait until the checkpoint that follows a run's end (`finish_run`) is done."""
        if self._ending is not None:
            self._thread.join()

    def _stop(self, ending: Callable[[sqlite3.Connection], Any] | None) -> None:
        self._closed = True
        self._ending = ending
        self._queue.put(_STOP)
        self._begin.set()
        self._hurry.set()

    def _check(self) -> None:
        if self._closed:
            raise StoreError("the result writer is closed; open a new one with Store.writer()")
        self._raise_error()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise StoreError(f"writing results to {self._path} failed: {self._error}") from self._error

    # The writer thread.

    def _run(self) -> None:
        try:
            if self._first is not None:
                self._begin.wait()
                write(self._conn, self._first, what="a new run")
                if self._on_first is not None:
                    self._on_first()
            while self._step():
                pass
        except BaseException as exc:  # kept and raised in the caller's thread, never swallowed
            self._error = exc
        finally:
            self._ended.set()
            self._release_waiters()
        try:
            if self._ending is not None and self._error is None:
                checkpoint(self._conn, self._path)  # the run's end is told meanwhile
        finally:
            self._conn.close()

    def _step(self) -> bool:
        """Take one batch off the queue and commit it. False once told to stop."""
        batch, waiters, stop = self._collect()
        results = [item for item in batch if isinstance(item, Result)]
        if stop:
            # The last commit leaves the checkpoint to what follows the run's end (this thread's,
            # after `finish_run`; or `Store.checkpoint_soon`): a commit taking the log past SQLite's
            # checkpoint size would copy it into the .db file before the end could be told.
            self._conn.execute("PRAGMA wal_autocheckpoint = 0")
        if batch:
            results = write(
                self._conn,
                lambda conn: self._insert(conn, batch, self._suite_of),
                what=f"{len(results)} results",
            )
            if results and self._on_commit is not None:
                self._on_commit(results)
            self._room.set()
        for waiter in waiters:
            waiter.set()
        if stop and self._ending is not None:
            self._end = self._ending(self._conn)
        return not stop

    def _collect(self) -> tuple[list[Any], list[threading.Event], bool]:
        """Block for the first item, then let a batch gather for BATCH_SECONDS *without* waking per
        row (a wake-up per `put` costs the engine's thread a GIL hand-off each time), then drain."""
        batch: list[Any] = []
        waiters: list[threading.Event] = []
        item = self._queue.get()
        gathered = False
        while True:
            if item is _STOP:
                return batch, waiters, True
            if isinstance(item, threading.Event):
                waiters.append(item)  # a flush: commit what we have now rather than wait longer
                gathered = True
            else:
                batch.append(item)
            if len(batch) >= BATCH_ROWS:
                return batch, waiters, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                if gathered:
                    return batch, waiters, False
                gathered = True
                self._hurry.wait(BATCH_SECONDS)
                self._hurry.clear()
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    return batch, waiters, False

    def _suite_of(self, run_id: Any) -> str | None:
        """The suite id of a run, read once a run; None for a run not (yet) in the file, asked again
        next time (the insert then fails on the run, as it would have with the subquery)."""
        suite_id = self._suites.get(run_id)
        if suite_id is None:
            found = self._conn.execute(SUITE_OF_RUN, (run_id,)).fetchone()
            suite_id = found[0] if found else None
            if suite_id is not None:
                if len(self._suites) > 64:  # a writer serves one run, or a few: never grows
                    self._suites.clear()
                self._suites[run_id] = suite_id
        return suite_id

    @staticmethod
    def _insert(
        conn: sqlite3.Connection, batch: list[Any], suite_of: Callable[[Any], str | None]
    ) -> list[Result]:
        """Write a batch; the results as written (an unstorable one replaced by its error result)."""
        results = [item for item in batch if isinstance(item, Result)]
        if results:
            try:
                rows = [_params(r, suite_of) for r in results]
                try:
                    conn.executemany(ADD_RESULT, rows)
                except sqlite3.IntegrityError:  # a row kept already (or a row SQLite refuses)
                    conn.executemany(INSERT_RESULT, rows)
            except ROW_FAULTS:  # some result cannot be stored: find it, one at a time
                results = [_insert_one(conn, r, suite_of) for r in results]
        now = datetime.now(UTC).isoformat()
        cache = []
        for item in batch:
            if isinstance(item, _CacheEntry):
                try:
                    cache.append((item.key, dump_json(item.completion), now))
                except ROW_FAULTS:  # an answer that cannot be cached is asked again next time
                    log.info("a response-cache entry could not be encoded", exc_info=True)
        if cache:
            conn.executemany(INSERT_CACHE, cache)
        return results

    def _release_waiters(self) -> None:
        """After the thread ends (stop or error), nobody may be left waiting on a flush."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, threading.Event):
                item.set()


def _params(result: Result, suite_of: Callable[[Any], str | None]) -> tuple[Any, ...]:
    return (*encode_result(result), suite_of(result.run_id), result.case_id)


def _insert_one(conn: sqlite3.Connection, result: Result, suite_of: Callable[[Any], str | None]) -> Result:
    """Write one result, or when its values cannot be stored, an error result saying why. (INSERT OR
    REPLACE: the results of the failed batch that went in before the bad one are written again.)"""
    try:
        conn.execute(INSERT_RESULT, _params(result, suite_of))
        return result
    except ROW_FAULTS as exc:
        log.info("result %s/%s could not be stored: %s", result.run_id, result.case_id, exc)
        kept = unstorable(result, exc)
    conn.execute(
        INSERT_RESULT, _params(kept, suite_of)
    )  # a failure now is not about the result's values: raised
    return kept


def unstorable(result: Result, exc: BaseException) -> Result:
    """The error result that stands for one SQLite refused: its identity (and its case's tags and
    cluster, which are not stored) and the reason, nothing of the values (one of them is what SQLite
    refused)."""
    attempts = result.attempts
    return Result(
        result.run_id,
        result.case_id,
        epoch=result.epoch,
        status="error",
        value=0.0,
        attempts=attempts if isinstance(attempts, int) and 0 <= attempts < 2**31 else 1,
        cached=bool(result.cached),
        error=f"the answer could not be stored: {type(exc).__name__}: {exc}",
        finished_at=result.finished_at,
        tags=result.tags,
        cluster=result.cluster,
    )
