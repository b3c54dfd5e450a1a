"""Many results files made one (`evaltui merge A.db B.db --into ALL.db`): how a CI matrix's jobs,
or a team's laptops, become one history that the TUI, `compare` and Datasette open.

Each source is read from a snapshot (SQLite's backup of it, write-ahead log included) taken into a
temporary folder and migrated there to the current schema, so a source file is never changed and an
older one merges like a new one; a newer one is refused untouched. Rows are then copied in one
transaction per source, suites and cases before the runs that point at them:

- a table with a key of its own (suites, cases, runs, results, and any table a later schema adds)
  gains the rows whose key it does not hold yet: a run keeps its id, and a run already there
  (merged before, or the same run in two files) is not copied twice;
- annotations have only a row number, so one is added unless the same annotation (run, case,
  label, note, author, time) is there already.

So merging the same files again adds nothing. The response cache is not copied: it is not history.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from evaltui.errors import StoreError
from evaltui.store.connection import connect, write
from evaltui.store.schema import copy_database, open_database

FIRST = ("suites", "cases", "runs", "results")  # foreign keys point at earlier tables
SKIPPED = ("meta", "cache")


@dataclass
class Merged:
    """What one source added to the target: rows added per table, and the runs it held."""

    source: Path
    added: dict[str, int] = field(default_factory=dict)
    runs_seen: int = 0


def _snapshot(source: Path, folder: Path) -> Path:
    """A consistent copy of `source` in `folder`, at the current schema version."""
    if not source.is_file():
        raise StoreError(f"{source}: no such results database")
    copy = folder / "snapshot.db"
    try:
        copy_database(source, copy)
    except sqlite3.Error as exc:
        raise StoreError(f"{source}: cannot read it as a results database: {exc}") from exc
    try:
        open_database(copy).close()  # migrates the copy; a newer schema is refused naming `copy`
    except StoreError as exc:
        raise StoreError(str(exc).replace(str(copy), str(source))) from exc
    return copy


def _tables(conn: sqlite3.Connection, schema: str) -> list[str]:
    names = [
        row[0]
        for row in conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")
        if not row[0].startswith("sqlite_") and row[0] not in SKIPPED
    ]
    return [t for t in FIRST if t in names] + sorted(t for t in names if t not in FIRST)


def _copy_table(conn: sqlite3.Connection, table: str) -> int:
    """Rows of src.`table` the target lacks, copied; how many."""
    info = conn.execute(f'PRAGMA main.table_info("{table}")').fetchall()
    columns = [row[1] for row in info]
    keys = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
    rowid_key = len(keys) == 1 and any(r[1] == keys[0] and r[2].upper() == "INTEGER" for r in info)
    before = conn.total_changes
    if keys and not rowid_key:
        listed = ", ".join(f'"{c}"' for c in columns)
        conn.execute(f'INSERT OR IGNORE INTO main."{table}" ({listed}) SELECT {listed} FROM src."{table}"')
    else:  # only a row number: the same row is one whose every other column is equal
        kept = [c for c in columns if c not in keys]
        listed = ", ".join(f'"{c}"' for c in kept)
        same = " AND ".join(f'm."{c}" IS s."{c}"' for c in kept)
        conn.execute(
            f'INSERT INTO main."{table}" ({listed}) SELECT {listed} FROM src."{table}" s '
            f'WHERE NOT EXISTS (SELECT 1 FROM main."{table}" m WHERE {same})'
        )
    return conn.total_changes - before


def merge_database(target: Path, source: Path) -> Merged:
    """Copy what `source` holds into `target` (created or migrated first); see the module docstring."""
    if source.resolve() == target.resolve():
        raise StoreError(f"{source} is the target itself; merge other files into it")
    open_database(target).close()  # created, or migrated to the current schema (with its backup)
    merged = Merged(source=source)
    with tempfile.TemporaryDirectory(prefix="evaltui-merge-") as folder:
        copy = _snapshot(source, Path(folder))
        conn = connect(target)
        try:
            conn.execute("ATTACH DATABASE ? AS src", (str(copy),))
            merged.runs_seen = conn.execute("SELECT count(*) FROM src.runs").fetchone()[0]

            def work(c: sqlite3.Connection) -> None:
                for table in _tables(c, "src"):
                    merged.added[table] = _copy_table(c, table)

            write(conn, work, what=f"the rows of {source}")
            conn.execute("DETACH DATABASE src")
        finally:
            conn.close()
    return merged
