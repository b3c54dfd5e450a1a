"""The schema and its migrations.

`MIGRATIONS[n]` takes a database at version n-1 to version n. They are frozen once released:
a change to the schema is a new function, never an edit of an old one. `open_database` checks the
file's version before anything writes to it, refuses a newer one untouched, and copies an older
one to `<file>.bak-v<N>` before migrating it inside one transaction. A new file is made at
`CURRENT_VERSION` in one go (`CURRENT`, the schema the migrations up to it make), then taken
through any migration past it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evaltui.errors import StoreError
from evaltui.store.connection import connect, read, write

V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE suites (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL DEFAULT '',
    definition TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE cases (
    suite_id TEXT NOT NULL REFERENCES suites(id) ON DELETE CASCADE,
    case_id TEXT NOT NULL, position INTEGER NOT NULL,
    input TEXT, expected TEXT, vars TEXT NOT NULL DEFAULT '{}', tags TEXT NOT NULL DEFAULT '[]',
    cluster TEXT,
    PRIMARY KEY (suite_id, case_id)
);
CREATE INDEX cases_by_position ON cases(suite_id, position);
CREATE TABLE runs (
    id TEXT PRIMARY KEY, suite_id TEXT NOT NULL REFERENCES suites(id), suite TEXT NOT NULL,
    model_id TEXT NOT NULL, model_config TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
    started_at TEXT NOT NULL, finished_at TEXT,
    total INTEGER NOT NULL DEFAULT 0, epochs INTEGER NOT NULL DEFAULT 1,
    done INTEGER NOT NULL DEFAULT 0, passed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0,
    tokens_in INTEGER NOT NULL DEFAULT 0, tokens_out INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    label TEXT, group_id TEXT, version TEXT NOT NULL
);
CREATE INDEX runs_by_start ON runs(started_at);
CREATE INDEX runs_by_suite ON runs(suite, started_at);
CREATE INDEX runs_by_label ON runs(label, started_at);
CREATE INDEX runs_by_group ON runs(group_id);
CREATE TABLE results (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    case_id TEXT NOT NULL, epoch INTEGER NOT NULL DEFAULT 0, position INTEGER,
    status TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
    output, prompt TEXT, scores TEXT, value REAL,
    latency_ms REAL, tokens_in INTEGER, tokens_out INTEGER, cost_usd REAL,
    attempts INTEGER NOT NULL DEFAULT 1, cached INTEGER NOT NULL DEFAULT 0,
    error, finished_at TEXT,
    PRIMARY KEY (run_id, case_id, epoch)
);
CREATE INDEX results_by_position ON results(run_id, position, epoch, case_id);
CREATE INDEX results_by_status ON results(run_id, status, position, epoch, case_id);
CREATE TABLE annotations (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    case_id TEXT NOT NULL, label TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL
);
CREATE INDEX annotations_by_case ON annotations(run_id, case_id);
"""

# v2: the response cache, and the process that owns a running run (for stale-run detection).
V2 = """
CREATE TABLE cache (key TEXT PRIMARY KEY, completion TEXT NOT NULL, created_at TEXT NOT NULL);
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN hostname TEXT;
CREATE INDEX runs_by_status ON runs(status);
"""


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def migrate(conn: sqlite3.Connection) -> None:
        # executescript() would COMMIT the open transaction; run statement by statement instead.
        for statement in sql.split(";"):
            if statement.strip():
                conn.execute(statement)

    return migrate


# v3: judge calls' tokens and cost per result; a run's metrics summary (p50/p95 for listings) and
# whether any answered result had an unknown cost (an unknown cost must never read as $0).
V3 = """
ALTER TABLE results ADD COLUMN judge TEXT;
ALTER TABLE runs ADD COLUMN metrics TEXT;
ALTER TABLE runs ADD COLUMN cost_unknown INTEGER NOT NULL DEFAULT 0;
"""

# v4: when the process in `pid` took the run (at its start, or on --resume). A pid the system gave
# to a process started after that is not the run's: stale-run detection tells reused pids apart.
V4 = """
ALTER TABLE runs ADD COLUMN claimed_at TEXT;
"""

# v5: the options a run was started with (limit, tags, epochs, use_cache, concurrency), as JSON, so
# that `--resume` finishes the run that was started. NULL for runs started before v5.
V5 = """
ALTER TABLE runs ADD COLUMN options TEXT;
"""

# v6: who wrote an annotation (the OS user), and annotations looked up by case across runs (the hint a
# label leaves on the same case in later runs of a suite).
V6 = """
ALTER TABLE annotations ADD COLUMN author TEXT NOT NULL DEFAULT '';
CREATE INDEX annotations_by_case_id ON annotations(case_id)
"""

# v7: the tool calls a result's answer made (JSON list of {id, name, arguments, raw_arguments}) and
# the steps of an agent loop (JSON list, engine/agent.py). NULL for results without them.
V7 = """
ALTER TABLE results ADD COLUMN tool_calls TEXT;
ALTER TABLE results ADD COLUMN steps TEXT;
"""

# v8: why a run ended early, in words (its endpoint could not be reached, its key was refused, it
# reached its cost ceiling). NULL for a run that ended as it should, and for runs before v8.
V8 = """
ALTER TABLE runs ADD COLUMN stop_reason TEXT;
"""

RUN_STATUS_CHECK_V1 = "CHECK (status IN ('running', 'completed', 'interrupted', 'failed'))"
RUN_STATUS_CHECK_V9 = "CHECK (status IN ('running', 'completed', 'interrupted', 'stopped', 'failed'))"


def v9_stopped_status(conn: sqlite3.Connection) -> None:
    """v9: a run may end `stopped` (at its cost ceiling; resumable). SQLite cannot alter a CHECK
    constraint, so `runs` is rebuilt the documented way (sqlite.org/lang_altertable.html, "making
    other kinds of table schema changes"): a copy made from the table's own CREATE statement with
    the new CHECK (so every column added since v1 comes along), the rows copied, the old table
    dropped, the copy renamed, its indexes made again. `_migrate` turns foreign keys off around
    the transaction: with them on, dropping `runs` would delete every result and annotation (ON
    DELETE CASCADE). `_migrate` checks the foreign keys before it commits."""
    table = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'runs'"
    (create,) = conn.execute(table).fetchone()
    if create.count(RUN_STATUS_CHECK_V1) != 1:
        raise StoreError("the runs table is not as evaltui made it (its status CHECK differs)")
    indexes = [
        row[0]
        for row in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs' AND sql IS NOT NULL"
        )
    ]
    create = create.replace(RUN_STATUS_CHECK_V1, RUN_STATUS_CHECK_V9).replace(
        "CREATE TABLE runs", "CREATE TABLE runs_v9", 1
    )
    conn.execute(create)
    conn.execute("INSERT INTO runs_v9 SELECT * FROM runs")
    conn.execute("DROP TABLE runs")
    conn.execute("ALTER TABLE runs_v9 RENAME TO runs")
    for index in indexes:
        conn.execute(index)


# v10: a suite's cases are kept only as rows of `cases`, each with what it holds beyond the columns
# (`extra`: its own scorers, messages, tool results, recorded answer; NULL when none), and no longer
# also inside `suites.definition`, which keeps the rest of the suite with `"cases": []`: saving
# a million-case suite built that one JSON text in memory. `suites.id` stays the hash of the whole
# definition, cases included, so a suite saved again is found under the id it always had.
_V10_CASE_COLUMNS = ("id", "input", "expected", "vars", "tags", "cluster")


def _v10_json(value: Any) -> str:
    """Readable JSON, or escaped ASCII when some text holds lone surrogates (as evaltui writes it)."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value)
    return text


def _v10_cases_as_rows(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE cases ADD COLUMN extra TEXT")
    suite_ids = [row[0] for row in conn.execute("SELECT id FROM suites")]
    for suite_id in suite_ids:  # one definition in memory at a time
        (text,) = conn.execute("SELECT definition FROM suites WHERE id = ?", (suite_id,)).fetchone()
        try:
            definition = json.loads(text)
        except ValueError:
            continue  # not a definition evaltui wrote: left as it is
        cases = definition.get("cases") if isinstance(definition, dict) else None
        if not cases:
            continue
        for position, case in enumerate(cases):
            extra = {
                key: value
                for key, value in case.items()
                if key not in _V10_CASE_COLUMNS and not (key == "scorers" and value is None)
            }
            conn.execute(
                "INSERT OR IGNORE INTO cases (suite_id, case_id, position, input, expected, vars, tags, "
                "cluster) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    suite_id, case["id"], position, _v10_json(case.get("input", "")),
                    _v10_json(case.get("expected")), _v10_json(case.get("vars", {})),
                    _v10_json(case.get("tags", [])), case.get("cluster"),
                ),
            )  # fmt: skip
            if extra:
                conn.execute(
                    "UPDATE cases SET extra = ? WHERE suite_id = ? AND case_id = ?",
                    (_v10_json(extra), suite_id, case["id"]),
                )
        definition["cases"] = []
        conn.execute("UPDATE suites SET definition = ? WHERE id = ?", (_v10_json(definition), suite_id))


RESULT_STATUS_CHECK_V1 = "CHECK (status IN ('pass', 'fail', 'error'))"
RESULT_STATUS_CHECK_V11 = "CHECK (status = 'pass' OR status = 'fail' OR status = 'error')"


def v11_results_status_check_as_comparisons(conn: sqlite3.Connection) -> None:
    """v11: `results.status` is checked with comparisons instead of `IN (...)`: the same rule, but
    SQLite checks an `IN` list of three or more values by building a temporary b-tree of the list
    for every row it inserts, most of the cost of writing a result. A CHECK holds no
    data, only its text in the schema, so the text is swapped the documented way for a change that
    touches no row (sqlite.org/lang_altertable.html, "making other kinds of table schema changes",
    the writable_schema procedure) rather than rebuilding a table of millions of results. The
    swapped text is checked first: exactly one CHECK as evaltui wrote it. A SQLite that refuses
    schema edits (defensive mode) keeps the old text, which checks the same rule."""
    table = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'results'"
    (create,) = conn.execute(table).fetchone()
    if create.count(RESULT_STATUS_CHECK_V1) != 1:
        raise StoreError("the results table is not as evaltui made it (its status CHECK differs)")
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'results'",
            (create.replace(RESULT_STATUS_CHECK_V1, RESULT_STATUS_CHECK_V11),),
        )
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")  # every connection reads it anew
    except sqlite3.DatabaseError:
        pass  # a SQLite built defensive refuses the edit: the IN list stays, the same rule (slower)
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


# The schema at version 11, made in one go for a new file rather than by every migration in turn
# (the v9 rebuild, the v10 walk, the v11 schema edit and the ALTERs each reparse the schema). Each
# statement's text is byte for byte what the migrations leave in `sqlite_master`, their quirks
# included (columns appended by ALTER after the table's last line, `"runs"` as its rebuild renamed
# it, V6's trailing newline): a file made either way holds the same schema, which later migrations
# may edit by its text as v9 and v11 do. tests/store/test_store_schema.py checks the two agree.
CURRENT_VERSION = 11
CURRENT = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE suites (\n    id TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL DEFAULT '',\n"
    "    definition TEXT NOT NULL, created_at TEXT NOT NULL\n)",
    "CREATE TABLE cases (\n    suite_id TEXT NOT NULL REFERENCES suites(id) ON DELETE CASCADE,\n"
    "    case_id TEXT NOT NULL, position INTEGER NOT NULL,\n"
    "    input TEXT, expected TEXT, vars TEXT NOT NULL DEFAULT '{}', tags TEXT NOT NULL DEFAULT '[]',\n"
    "    cluster TEXT, extra TEXT,\n    PRIMARY KEY (suite_id, case_id)\n)",
    "CREATE INDEX cases_by_position ON cases(suite_id, position)",
    'CREATE TABLE "runs" (\n'
    "    id TEXT PRIMARY KEY, suite_id TEXT NOT NULL REFERENCES suites(id), suite TEXT NOT NULL,\n"
    "    model_id TEXT NOT NULL, model_config TEXT NOT NULL,\n"
    f"    status TEXT NOT NULL {RUN_STATUS_CHECK_V9},\n"
    "    started_at TEXT NOT NULL, finished_at TEXT,\n"
    "    total INTEGER NOT NULL DEFAULT 0, epochs INTEGER NOT NULL DEFAULT 1,\n"
    "    done INTEGER NOT NULL DEFAULT 0, passed INTEGER NOT NULL DEFAULT 0,\n"
    "    failed INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0,\n"
    "    tokens_in INTEGER NOT NULL DEFAULT 0, tokens_out INTEGER NOT NULL DEFAULT 0,\n"
    "    cost_usd REAL NOT NULL DEFAULT 0,\n"
    "    label TEXT, group_id TEXT, version TEXT NOT NULL\n"
    ", pid INTEGER, hostname TEXT, metrics TEXT, cost_unknown INTEGER NOT NULL DEFAULT 0, claimed_at TEXT, "
    "options TEXT, stop_reason TEXT)",
    "CREATE INDEX runs_by_start ON runs(started_at)",
    "CREATE INDEX runs_by_suite ON runs(suite, started_at)",
    "CREATE INDEX runs_by_label ON runs(label, started_at)",
    "CREATE INDEX runs_by_group ON runs(group_id)",
    "CREATE INDEX runs_by_status ON runs(status)",
    "CREATE TABLE results (\n    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "    case_id TEXT NOT NULL, epoch INTEGER NOT NULL DEFAULT 0, position INTEGER,\n"
    f"    status TEXT NOT NULL {RESULT_STATUS_CHECK_V11},\n"
    "    output, prompt TEXT, scores TEXT, value REAL,\n"
    "    latency_ms REAL, tokens_in INTEGER, tokens_out INTEGER, cost_usd REAL,\n"
    "    attempts INTEGER NOT NULL DEFAULT 1, cached INTEGER NOT NULL DEFAULT 0,\n"
    "    error, finished_at TEXT, judge TEXT, tool_calls TEXT, steps TEXT,\n"
    "    PRIMARY KEY (run_id, case_id, epoch)\n)",
    "CREATE INDEX results_by_position ON results(run_id, position, epoch, case_id)",
    "CREATE INDEX results_by_status ON results(run_id, status, position, epoch, case_id)",
    "CREATE TABLE annotations (\n    id INTEGER PRIMARY KEY,\n"
    "    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "    case_id TEXT NOT NULL, label TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', "
    "created_at TEXT NOT NULL\n, author TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX annotations_by_case ON annotations(run_id, case_id)",
    "CREATE INDEX annotations_by_case_id ON annotations(case_id)\n",
    "CREATE TABLE cache (key TEXT PRIMARY KEY, completion TEXT NOT NULL, created_at TEXT NOT NULL)",
)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _script(V1),
    2: _script(V2),
    3: _script(V3),
    4: _script(V4),
    5: _script(V5),
    6: _script(V6),
    7: _script(V7),
    8: _script(V8),
    9: v9_stopped_status,
    10: _v10_cases_as_rows,
    11: v11_results_status_check_as_comparisons,
}
SCHEMA_VERSION = max(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """0 for an empty file; StoreError for a SQLite file that is not an evaltui database."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return 0
    if "meta" not in tables:
        raise StoreError("it is a SQLite file but not an evaltui results database (no meta table)")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise StoreError("the meta table has no schema_version; the file is not an evaltui database")
    return int(row[0])


def _peek_version(path: Path) -> int:
    """The file's schema version, read without writing to it (no WAL switch, no migration)."""
    conn = connect(path, read_only=True)
    try:
        return read(lambda: schema_version(conn), what="the schema version")
    except StoreError as exc:
        raise StoreError(f"{path}: {exc}") from exc
    finally:
        conn.close()


def _refuse_newer(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version}, newer than this evaltui understands "
            f"({SCHEMA_VERSION}). Upgrade evaltui to open it; the file was not changed."
        )


def copy_database(path: Path, target: Path) -> None:
    """The file as it is now, consistent even while others write it (SQLite's backup API), written
    to `target`. sqlite3.Error when it cannot be read or written: each caller says which."""
    source = connect(path, read_only=True)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _backup(path: Path, version: int) -> Path:
    """Copy the file as it is (before any PRAGMA or migration touches it) to `<file>.bak-v<N>`."""
    target = path.with_name(f"{path.name}.bak-v{version}")
    try:
        copy_database(path, target)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot write the backup {target} before migrating {path}: {exc}") from exc
    return target


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Every migration the file lacks, in one transaction. Foreign keys are off meanwhile (a PRAGMA
    that only takes effect outside a transaction): a migration that rebuilds a table drops the old
    one, which with them on would cascade to every row that refers to it. Whether every reference
    still holds is checked before the commit."""

    def work(c: sqlite3.Connection) -> None:
        version = schema_version(c)  # again, under the write lock: another process may have migrated
        _refuse_newer(path, version)
        if version == 0:  # a new file: the current schema at once, then any migration past it
            for statement in CURRENT:
                c.execute(statement)
            version = CURRENT_VERSION
        dangling = len(c.execute("PRAGMA foreign_key_check").fetchall())  # a file's own, left as found
        for target in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[target](c)
        broken = c.execute("PRAGMA foreign_key_check").fetchall()
        if len(broken) > dangling:
            raise StoreError(
                f"{path}: migrating to schema version {SCHEMA_VERSION} would leave rows of "
                f"{sorted({row[0] for row in broken})} pointing at nothing; the file was not changed"
            )
        c.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )

    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        write(conn, work, what="the schema migration")
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def open_database(path: Path, *, create: bool = True, read_only: bool = False) -> sqlite3.Connection:
    """Open (or create) the file at the current schema version and return a connection to it.
    `read_only`: open an existing file at the current version without ever writing to it."""
    exists = path.exists() and path.stat().st_size > 0
    if not exists and (not create or read_only):
        raise StoreError(f"{path}: no results database there (run a suite first, or check --db)")
    version = _peek_version(path) if exists else 0
    _refuse_newer(path, version)
    if read_only:
        if version < SCHEMA_VERSION:
            raise StoreError(f"{path}: schema version {version} must be upgraded, which needs write access")
        return connect(path, read_only=True)
    if not exists:
        path.parent.mkdir(parents=True, exist_ok=True)
    if 0 < version < SCHEMA_VERSION:
        _backup(path, version)
    conn = connect(path, new=not exists)
    if version < SCHEMA_VERSION:
        try:
            _migrate(conn, path)
        except BaseException:
            conn.close()
            raise
    if not exists:
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn
