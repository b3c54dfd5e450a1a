"""Opening a database: schema, PRAGMAs, migrations with a backup, refusing newer files."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlite_utils

from evaltui.analysis.metrics import run_metrics
from evaltui.engine.resume import plan_resume
from evaltui.errors import StoreError
from evaltui.store import Store
from evaltui.store.codec import dump_json
from evaltui.store.connection import connect
from evaltui.store.schema import MIGRATIONS, SCHEMA_VERSION
from evaltui.suites.models import Case, Message, Recorded, ScorerSpec, Suite
from tests.store.factories import DEMO, make_suite


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_has_every_table_and_the_current_schema_version(store: Store) -> None:
    db = sqlite_utils.Database(store.conn())
    assert {"meta", "suites", "cases", "runs", "results", "annotations", "cache"} <= set(db.table_names())
    assert {"run_id", "case_id", "epoch", "position", "prompt", "scores", "value"} <= set(
        db["results"].columns_dict
    )
    assert {"pid", "hostname", "group_id", "epochs", "total", "version"} <= set(db["runs"].columns_dict)
    indexes = {tuple(i.columns[:3]) for i in db["results"].indexes}
    assert ("run_id", "position", "epoch") in indexes
    assert ("run_id", "status", "position") in indexes
    version = store.conn().execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert int(version) == SCHEMA_VERSION


DATA_PAGE = Path(__file__).resolve().parents[2] / "docs" / "DATA.md"


def test_the_tables_page_names_every_table_and_column_and_the_schema_version(store: Store) -> None:
    """docs/DATA.md is the map for people who query the file with sqlite-utils or Datasette: a
    table or column added without a word there fails here."""
    page = DATA_PAGE.read_text(encoding="utf-8")
    db = sqlite_utils.Database(store.conn())
    named = set(re.findall(r"`([a-z_]+)", page))
    for table in db.table_names():
        assert table in named, f"docs/DATA.md does not name the table {table}"
        missing = [c for c in db[table].columns_dict if c not in named]
        assert not missing, f"docs/DATA.md does not name {table}.{missing}"
    assert f"{SCHEMA_VERSION} today" in page


def test_every_connection_gets_wal_normal_sync_busy_timeout_and_foreign_keys(store: Store) -> None:
    in_thread: list[sqlite3.Connection] = []
    worker = threading.Thread(target=lambda: in_thread.append(store.conn()))
    worker.start()
    worker.join()
    fresh = connect(store.path)  # what the writer thread and streaming reads open
    for conn in (store.conn(), in_thread[0], fresh):
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert in_thread[0] is not store.conn()
    fresh.close()


def make_v1_file(path: Path) -> None:
    """A database as evaltui with schema version 1 wrote it, holding one suite, run and result."""
    conn = sqlite3.connect(path)
    with conn:
        MIGRATIONS[1](conn)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        conn.execute("INSERT INTO suites VALUES ('s1', 'old-suite', '', '{}', '2025-01-01')")
        conn.execute(
            "INSERT INTO cases (suite_id, case_id, position, input) VALUES ('s1', 'c1', 0, '\"hi\"')"
        )
        conn.execute(
            "INSERT INTO runs (id, suite_id, suite, model_id, model_config, status, started_at, version) "
            "VALUES ('20250101-000000-aaaaaa', 's1', 'old-suite', 'demo:keyword', '{}', 'completed', "
            "'2025-01-01', '0.0.1')"
        )
        conn.execute(
            "INSERT INTO results (run_id, case_id, epoch, position, status, output) "
            "VALUES ('20250101-000000-aaaaaa', 'c1', 0, 0, 'pass', 'old answer')"
        )
    conn.close()


def test_older_database_is_backed_up_then_migrated_keeping_its_data(db_path: Path) -> None:
    make_v1_file(db_path)
    with Store(db_path) as store:
        assert store.get_run("20250101-000000-aaaaaa").suite == "old-suite"
        assert store.get_result("20250101-000000-aaaaaa", "c1").output == "old answer"
        store.cache_put("k", {"text": "cached"})  # a v2 table works
        assert store.cache_get("k") == {"text": "cached"}
    backup = db_path.with_name(db_path.name + ".bak-v1")
    old = sqlite3.connect(backup)
    assert old.execute("SELECT value FROM meta").fetchone()[0] == "1"
    assert old.execute("SELECT output FROM results").fetchone()[0] == "old answer"
    old.close()


PRAGMAS = ("user_version", "application_id", "journal_mode", "page_size", "auto_vacuum", "encoding",
           "foreign_keys", "synchronous", "busy_timeout")  # fmt: skip


def schema_of(conn: sqlite3.Connection) -> dict[str, object]:
    """Everything a schema is made of, as SQLite reports it: each object's text in `sqlite_master`
    (tables, indexes, triggers, views), each table's columns, keys and indexes, each index's
    columns, the file's and connection's PRAGMAs and the `meta` rows."""
    objects = sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())
    tables = [name for kind, name, _, _ in objects if kind == "table"]
    indexes = [name for kind, name, _, _ in objects if kind == "index"]
    return {
        "objects": objects,
        "columns": {t: conn.execute(f"PRAGMA table_xinfo({t})").fetchall() for t in tables},
        "foreign keys": {t: conn.execute(f"PRAGMA foreign_key_list({t})").fetchall() for t in tables},
        "index lists": {t: sorted(conn.execute(f"PRAGMA index_list({t})").fetchall()) for t in tables},
        "index columns": {i: conn.execute(f"PRAGMA index_xinfo({i})").fetchall() for i in indexes},
        "pragmas": {p: conn.execute(f"PRAGMA {p}").fetchall() for p in PRAGMAS},
        "meta": conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall(),
    }


def test_a_new_database_has_the_schema_every_migration_from_version_1_makes(tmp_path: Path) -> None:
    """A new file gets the current schema in one go (store/schema.py `CURRENT`), an old one its
    migrations: the two must be the same schema, down to each statement's text."""
    migrated = tmp_path / "migrated.db"
    conn = sqlite3.connect(migrated)
    with conn:
        MIGRATIONS[1](conn)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.close()
    with Store(migrated) as old, Store(tmp_path / "new.db") as new:
        made = schema_of(new.conn())
        assert {name for _, name, _, _ in made["objects"]} >= {"runs", "results", "cases", "suites"}
        assert made["meta"] == [("schema_version", str(SCHEMA_VERSION))]
        assert made == schema_of(old.conn())
    assert (tmp_path / "migrated.db.bak-v1").exists()  # it was migrated, not made anew


def test_database_from_a_newer_evaltui_is_refused_and_left_unchanged(db_path: Path) -> None:
    with Store(db_path) as store:
        store.save_suite(make_suite(2))
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.close()
    before = sha(db_path)
    with pytest.raises(StoreError, match="newer than this evaltui understands"):
        Store(db_path)
    assert sha(db_path) == before
    assert not list(db_path.parent.glob("*.bak-*"))


def test_a_file_that_is_not_a_database_is_refused_with_its_path(db_path: Path) -> None:
    db_path.write_text("not sqlite at all, just some text that is long enough " * 20)
    with pytest.raises(StoreError, match=str(db_path.name)):
        Store(db_path)


def test_opening_a_missing_file_without_create_says_so(db_path: Path) -> None:
    with pytest.raises(StoreError, match="no results database"):
        Store(db_path, create=False)
    assert not db_path.exists()


def test_reopening_keeps_runs_and_does_not_migrate_again(db_path: Path) -> None:
    with Store(db_path) as store:
        run_id = store.create_run(suite_id=store.save_suite(make_suite(1)), model=DEMO, total=1)
    with Store(db_path) as store:
        assert store.get_run(run_id).status == "running"
    assert not list(db_path.parent.glob("*.bak-*"))


def make_v4_file(path: Path) -> str:
    """A database as evaltui with schema version 4 wrote it, holding one interrupted run."""
    make_v1_file(path)
    conn = sqlite3.connect(path)
    with conn:
        for version in (2, 3, 4):
            MIGRATIONS[version](conn)
        conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
        conn.execute("UPDATE runs SET status = 'interrupted', total = 500")
    conn.close()
    return "20250101-000000-aaaaaa"


def test_a_v4_database_gains_run_options_and_its_runs_read_as_started_without_them(db_path: Path) -> None:
    run_id = make_v4_file(db_path)
    with Store(db_path) as store:
        old = store.get_run(run_id)
        assert (old.status, old.total, old.options) == ("interrupted", 500, None)
        new = store.create_run(
            suite_id=store.save_suite(make_suite(1)),
            model=DEMO,
            total=1,
            options={"limit": 1, "tags": ["money"], "use_cache": False},
        )
        assert store.get_run(new).options == {"limit": 1, "tags": ["money"], "use_cache": False}
    backup = sqlite3.connect(db_path.with_name(db_path.name + ".bak-v4"))
    assert backup.execute("SELECT value FROM meta").fetchone()[0] == "4"
    assert "options" not in {row[1] for row in backup.execute("PRAGMA table_info(runs)")}
    backup.close()


def make_v8_file(path: Path, runs: int = 3, cases: int = 4) -> None:
    """A database as evaltui with schema version 8 wrote it: runs (one interrupted at its cost
    ceiling), their results and an annotation, all tied to `runs` by foreign keys."""
    conn = sqlite3.connect(path)
    with conn:
        for version in range(1, 9):
            MIGRATIONS[version](conn)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '8')")
        conn.execute("INSERT INTO suites VALUES ('s1', 'old-suite', '', '{}', '2025-01-01')")
        for r in range(runs):
            run_id = f"20250101-00000{r}-aaaaaa"
            conn.execute(
                "INSERT INTO runs (id, suite_id, suite, model_id, model_config, status, started_at, "
                "version, label, stop_reason, options) VALUES (?, 's1', 'old-suite', 'demo:keyword', '{}', "
                "'interrupted', '2025-01-01', '0.0.8', 'nightly', 'cost ceiling reached', '{\"limit\": 2}')",
                (run_id,),
            )
            for c in range(cases):
                conn.execute(
                    "INSERT INTO results (run_id, case_id, epoch, position, status, output, tool_calls) "
                    "VALUES (?, ?, 0, ?, 'pass', 'an answer', '[]')",
                    (run_id, f"c{c}", c),
                )
            conn.execute(
                "INSERT INTO annotations (run_id, case_id, label, created_at, author) "
                "VALUES (?, 'c0', 'wrong', '2025-01-02', 'ann')",
                (run_id,),
            )
    conn.close()


def test_a_v8_database_migrates_to_allow_stopped_runs_losing_no_result(db_path: Path) -> None:
    make_v8_file(db_path)
    before = sqlite3.connect(db_path)
    old_runs = before.execute("SELECT * FROM runs ORDER BY id").fetchall()
    old_indexes = {row[0] for row in before.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'runs'")}
    before.close()
    with Store(db_path) as store:
        conn = store.conn()
        assert conn.execute("SELECT count(*) FROM results").fetchone()[0] == 3 * 4
        assert conn.execute("SELECT count(*) FROM annotations").fetchone()[0] == 3
        assert conn.execute("SELECT * FROM runs ORDER BY id").fetchall() == old_runs
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'runs'")}
        assert indexes == old_indexes
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        store.finish_run(
            "20250101-000000-aaaaaa", "stopped", run_metrics(()), reason="cost ceiling $0.05 reached"
        )
        assert store.get_run("20250101-000000-aaaaaa").status == "stopped"
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE runs SET status = 'bogus' WHERE id = '20250101-000001-aaaaaa'")
        # results still belong to their run: deleting a run still takes its results with it
        conn.execute("DELETE FROM runs WHERE id = '20250101-000002-aaaaaa'")
        assert conn.execute("SELECT count(*) FROM results").fetchone()[0] == 2 * 4
    backup = sqlite3.connect(db_path.with_name(db_path.name + ".bak-v8"))
    assert backup.execute("SELECT value FROM meta").fetchone()[0] == "8"
    assert backup.execute("SELECT count(*) FROM results").fetchone()[0] == 3 * 4
    backup.close()


def make_v9_file_of(path: Path, suite: Suite) -> tuple[str, str]:
    """A database as evaltui with schema version 9 wrote it: the suite's definition JSON holding
    every case, and each case's columns in the cases table; one interrupted run of it."""
    conn = sqlite3.connect(path)
    whole = dump_json(suite.model_dump(mode="json"))
    suite_id = hashlib.sha256(whole.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    run_id = "20260101-000000-bbbbbb"
    with conn:
        for version in range(1, 10):
            MIGRATIONS[version](conn)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '9')")
        conn.execute("INSERT INTO suites VALUES (?, ?, '', ?, '2026-01-01')", (suite_id, suite.name, whole))
        for position, case in enumerate(suite.cases):
            conn.execute(
                "INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    suite_id, case.id, position, dump_json(case.input), dump_json(case.expected),
                    dump_json(case.vars), dump_json(case.tags), case.cluster,
                ),
            )  # fmt: skip
        conn.execute(
            "INSERT INTO runs (id, suite_id, suite, model_id, model_config, status, started_at, version, "
            "total, options) VALUES (?, ?, ?, 'demo:echo', ?, 'interrupted', '2026-01-01', '0.9', ?, ?)",
            (
                run_id, suite_id, suite.name, json.dumps(DEMO.public_config()), len(suite.cases),
                json.dumps({"limit": None, "tags": [], "epochs": 1, "use_cache": True, "concurrency": 4}),
            ),
        )  # fmt: skip
    conn.close()
    return suite_id, run_id


def test_a_v9_suite_definition_holding_its_cases_migrates_to_case_rows_with_nothing_lost(
    db_path: Path,
) -> None:
    suite = Suite(
        name="old",
        prompt="{{ input }}",
        scorers=[ScorerSpec(type="equals")],
        cases=[
            Case(id="plain", input="caf\u00e9", expected="CAFE", tags=["t"], cluster="k", vars={"v": 1}),
            Case(id="odd", input="x\ud800y", expected={"k": [1, None]}),  # lone surrogate: ASCII JSON
            Case(
                id="own",
                input=["a", 2],
                scorers=[ScorerSpec(type="contains", value="a")],
                messages=[Message(role="system", content="be brief")],
                tool_results={"lookup": "found"},
                recorded=Recorded(output="said before", latency_ms=3.0),
            ),
        ],
    )
    written = [case.model_dump(mode="json") for case in suite.cases]
    suite_id, run_id = make_v9_file_of(db_path, suite)
    with Store(db_path) as store:
        definition = store.query_one("SELECT definition FROM suites", (), what="suite")["definition"]
        assert json.loads(definition)["cases"] == []  # the cases now live only in their rows
        resumed = plan_resume(store, run_id).prepared.suite
        assert [case.model_dump(mode="json") for case in resumed.cases] == written
        assert resumed.model_dump(mode="json", exclude={"cases"}) == suite.model_dump(
            mode="json", exclude={"cases"}
        )
        assert store.save_suite(suite) == suite_id  # the same suite is still found under its id
        assert store.query_one("SELECT count(*) AS n FROM suites", (), what="suites")["n"] == 1
    backup = sqlite3.connect(db_path.with_name(db_path.name + ".bak-v9"))
    assert len(json.loads(backup.execute("SELECT definition FROM suites").fetchone()[0])["cases"]) == 3
    backup.close()


def make_v10_file(path: Path) -> None:
    """A database as evaltui with schema version 10 wrote it: a run with a result of each status."""
    conn = sqlite3.connect(path)
    with conn:
        for version in range(1, 11):
            MIGRATIONS[version](conn)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '10')")
        conn.execute("INSERT INTO suites VALUES ('s1', 'old-suite', '', '{}', '2026-01-01')")
        conn.execute(
            "INSERT INTO runs (id, suite_id, suite, model_id, model_config, status, started_at, version) "
            "VALUES ('20260101-000000-cccccc', 's1', 'old-suite', 'demo:keyword', '{}', 'completed', "
            "'2026-01-01', '0.0.10')"
        )
        for position, status in enumerate(("pass", "fail", "error")):
            conn.execute(
                "INSERT INTO results (run_id, case_id, epoch, position, status, output) "
                "VALUES ('20260101-000000-cccccc', ?, 0, ?, ?, 'an answer')",
                (f"c{position}", position, status),
            )
    conn.close()


def insert_opcodes(conn: sqlite3.Connection) -> set[str]:
    explained = conn.execute(
        "EXPLAIN INSERT INTO results (run_id, case_id, status) VALUES ('20260101-000000-cccccc', 'x', ?)",
        ("pass",),
    )
    return {row[1] for row in explained}


def test_a_v10_database_keeps_its_results_and_still_refuses_an_unknown_status_checked_without_a_table(
    db_path: Path,
) -> None:
    make_v10_file(db_path)
    before = sqlite3.connect(db_path)
    old_results = before.execute("SELECT * FROM results ORDER BY position").fetchall()
    assert "OpenEphemeral" in insert_opcodes(before)  # v10's IN list: a b-tree built for every row
    before.close()
    with Store(db_path) as store:
        conn = store.conn()
        assert conn.execute("SELECT * FROM results ORDER BY position").fetchall() == old_results
        assert "OpenEphemeral" not in insert_opcodes(conn)
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute(
                "INSERT INTO results (run_id, case_id, status) VALUES (?, 'x', 'bogus')",
                ("20260101-000000-cccccc",),
            )
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute("UPDATE results SET status = 'passed' WHERE case_id = 'c0'")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # the results still belong to their run: deleting it takes them with it
        conn.execute("DELETE FROM runs WHERE id = '20260101-000000-cccccc'")
        assert conn.execute("SELECT count(*) FROM results").fetchone()[0] == 0
    fresh = connect(db_path)  # another connection reads the changed schema too
    assert "OpenEphemeral" not in insert_opcodes(fresh)
    fresh.close()
    backup = sqlite3.connect(db_path.with_name(db_path.name + ".bak-v10"))
    assert backup.execute("SELECT value FROM meta").fetchone()[0] == "10"
    assert backup.execute("SELECT count(*) FROM results").fetchone()[0] == 3
    backup.close()


def test_a_new_database_checks_a_result_status_without_a_table_a_row(store: Store) -> None:
    conn = store.conn()
    assert "OpenEphemeral" not in insert_opcodes(conn)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_sqlite_that_refuses_schema_edits_still_migrates_to_v11_keeping_its_in_list(db_path: Path) -> None:
    """A SQLite in defensive mode (some platforms build it so) refuses writes to sqlite_master: the
    v11 migration then leaves the CHECK as it was (the same rule, only slower to check) instead of
    failing, which would leave the file unopenable by this evaltui."""
    make_v10_file(db_path)
    conn = sqlite3.connect(db_path)

    def no_schema_edits(action: int, table: str | None, *_: object) -> int:
        edit = action == sqlite3.SQLITE_UPDATE and table == "sqlite_master"
        return sqlite3.SQLITE_DENY if edit else sqlite3.SQLITE_OK

    conn.set_authorizer(no_schema_edits)
    with conn:
        MIGRATIONS[11](conn)
    conn.set_authorizer(None)
    assert "OpenEphemeral" in insert_opcodes(conn)  # the old CHECK, still in force
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute(
            "INSERT INTO results (run_id, case_id, status) VALUES ('20260101-000000-cccccc', 'x', 'no')"
        )
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
