"""Opening connections and writing through them without "database is locked".

Every connection gets the same PRAGMAs (WAL, synchronous=NORMAL, a busy timeout, foreign keys;
the one that makes a new file has synchronous=OFF until its schema is in, see `connect`).
Writes are short `BEGIN IMMEDIATE` transactions: the write lock is taken up front, so SQLite's
busy handler can wait for it, and a transaction never has to upgrade a read lock (the case where
SQLite gives up at once). On top of the busy timeout a write that still meets SQLITE_BUSY is
retried with backoff, so another process holding the lock for a while costs time, not an error.
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from evaltui.errors import StoreError

BUSY_TIMEOUT_MS = 10_000
log = logging.getLogger(__name__)
BUSY_RETRIES = 8
T = TypeVar("T")

# Binding None takes the sqlite3 module's adaptation path: it looks None up among the registered
# adapters and, finding none, tries `__adapt__` and `__conform__`, each an AttributeError raised
# and cleared, for every NULL of every row the result writer inserts (a result has several). An
# adapter for None that returns None binds the same NULL, found at the first look-up; an empty
# dict's `get` is that function without a Python frame. Process-wide, as every sqlite3 adapter
# is: what any connection stores for None does not change.
_NULL: dict[None, None] = {}
sqlite3.register_adapter(type(None), _NULL.get)


def connect(path: Path | str, *, read_only: bool = False, new: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) with the house PRAGMAs.
    `check_same_thread=False` only so that `Store.close()` may close a connection another thread
    opened; each thread still uses its own connection. Only regular files are opened: SQLite
    would write its journal beside /dev/null (world-writable, as root) or block on a FIFO.

    `new`: the file is being made (empty or absent). Its connection starts with `synchronous = OFF`
    and the maker sets NORMAL once the schema is in: turning an empty file to WAL and writing the
    schema then cost no disk syncs (six, each several milliseconds, before a first run could start).
    A power cut in that moment can lose the new file's schema, never a result: none is stored yet,
    and no kill of the process loses a write either way (the OS holds it)."""
    path = Path(path)
    if path.exists() and not path.is_file():
        raise StoreError(f"{path}: not a regular file; --db names a results database file")
    try:
        if read_only:
            return _connect_read_only(path)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA synchronous = {'OFF' if new else 'NORMAL'}")
        retry_busy(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the results database: {exc}") from exc
    return conn


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Read-only, never writing the file. A WAL database needs its -shm file to be read; where none
    can be made (a read-only folder or mount, so no process can be writing it either) the file is
    read as immutable."""
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        if os.access(path.parent, os.W_OK) and not _read_only_mount(path):
            raise
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False)
    return conn


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def is_busy(exc: sqlite3.Error) -> bool:
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def retry_busy(fn: Callable[[], T]) -> T:
    """Run `fn`, retrying with jittered exponential backoff while SQLite reports busy/locked."""
    delay = 0.02
    for attempt in range(BUSY_RETRIES + 1):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or attempt == BUSY_RETRIES:
                raise
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def write(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T], *, what: str) -> T:
    """Run `work(conn)` in one write transaction, retried while the database is busy.
    Any SQLite error becomes a StoreError naming `what` was being written."""

    def attempt() -> T:
        with _transaction(conn):
            return work(conn)

    try:
        return retry_busy(attempt)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot write {what} to the results database: {exc}") from exc


def read(fn: Callable[[], T], *, what: str) -> T:
    """Run a read query (retried while busy); SQLite errors become a StoreError."""
    try:
        return retry_busy(fn)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read {what} from the results database: {exc}") from exc


def checkpoint(conn: sqlite3.Connection, path: Path) -> bool:
    """Copy the write-ahead log into the .db file and empty it (`Store.checkpoint`). True when done;
    False when another connection's open read kept part of the log. Never raises: a run that ended
    is not undone by a checkpoint that could not be made."""
    try:
        busy, _, _ = retry_busy(lambda: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())
    except sqlite3.Error as exc:
        log.warning("checkpoint of %s failed: %s", path, exc)
        return False
    return not busy


class ThreadConnections:
    """One connection per thread to one file: the TUI's workers, the engine's loop and the CLI each
    read through their own, so no two threads ever share a cursor or a transaction."""

    def __init__(self, path: Path, first: sqlite3.Connection, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only  # every connection opened read-only (see `connect`)
        self._local = threading.local()
        self._local.conn = first
        self._all = [first]
        self._lock = threading.Lock()

    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, read_only=self.read_only)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def query(self, sql: str, params: Sequence[Any] = (), *, what: str) -> list[dict[str, Any]]:
        """All rows of a (small, paged) query as dicts."""
        return read(lambda: row_dicts(self.conn().execute(sql, params)), what=what)

    def query_one(self, sql: str, params: Sequence[Any] = (), *, what: str) -> dict[str, Any] | None:
        rows = self.query(sql, params, what=what)
        return rows[0] if rows else None

    def stream(self, sql: str, params: Sequence[Any] = (), *, what: str) -> Iterator[dict[str, Any]]:
        """Rows as dicts, fetched in chunks: a whole large run is never in memory at once.
        Uses a connection of its own so that other queries in this thread don't disturb it."""
        rows = self._fetch(sql, params, what)
        keys = next(rows)
        for row in rows:
            yield dict(zip(keys, row, strict=True))

    def tuples(self, sql: str, params: Sequence[Any] = (), *, what: str) -> Iterator[tuple[Any, ...]]:
        """As `stream`, with plain tuples: for reads of many rows, where building a dict per row
        would cost more than the query."""
        return itertools.islice(self._fetch(sql, params, what), 1, None)

    def _fetch(self, sql: str, params: Sequence[Any], what: str) -> Iterator[tuple[Any, ...]]:
        """The column names, then the rows, in chunks, on a connection of its own."""
        conn = connect(self.path, read_only=self.read_only)
        try:
            cursor = read(lambda: conn.execute(sql, params), what=what)
            yield tuple(d[0] for d in cursor.description)
            while chunk := read(lambda: cursor.fetchmany(1000), what=what):
                yield from chunk
        finally:
            conn.close()

    def write(self, work: Callable[[sqlite3.Connection], T], *, what: str) -> T:
        return write(self.conn(), work, what=what)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


def row_dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]
