"""`Store.checkpoint_soon()`: the write-ahead log is copied into the .db file on a thread of its own
(a run's end goes on to its summary meanwhile); `close()` waits for it, so once the store is closed
the .db file alone holds everything written, even while another process keeps the file open."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaltui.analysis.metrics import run_metrics
from evaltui.store import Store
from tests.store.factories import DEMO, make_suite, result_row


def rows_in_the_db_file_alone(db: Path, folder: Path) -> int:
    copy = folder / "copy.db"
    shutil.copyfile(db, copy)  # no -wal beside it
    conn = sqlite3.connect(copy)
    try:
        return conn.execute("SELECT count(*) FROM results").fetchone()[0]
    finally:
        conn.close()


def write_run(store: Store, cases: int) -> str:
    suite_id = store.save_suite(make_suite(cases))
    run_id = store.create_run(suite_id=suite_id, model=DEMO, total=cases)
    writer = store.writer()
    for i in range(cases):
        writer.put(result_row(run_id, f"case-{i:06d}"))
    writer.close()
    return run_id


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store whose tables are in the .db file already, and another process's connection to the
    file, so that closing the store is not the file's last close (which would empty the log)."""
    opened = Store(tmp_path / "r.db")
    opened.checkpoint()
    other = sqlite3.connect(opened.path)
    other.execute("SELECT count(*) FROM runs").fetchone()
    yield opened
    opened.close()
    other.close()


def test_once_the_store_is_closed_its_checkpoint_is_in_the_db_file(store: Store, tmp_path: Path) -> None:
    write_run(store, 30)
    store.checkpoint_soon()
    store.close()
    assert rows_in_the_db_file_alone(store.path, tmp_path) == 30


def test_writes_made_while_a_checkpoint_runs_are_checkpointed_too(store: Store, tmp_path: Path) -> None:
    for _ in range(5):  # each run's end asks for one, whether or not the last is done
        write_run(store, 10)
        store.checkpoint_soon()
    store.close()
    assert rows_in_the_db_file_alone(store.path, tmp_path) == 50


def test_without_a_checkpoint_the_db_file_alone_misses_them(store: Store, tmp_path: Path) -> None:
    """What the tests above rely on."""
    write_run(store, 30)
    store.close()
    assert rows_in_the_db_file_alone(store.path, tmp_path) == 0


def test_a_writers_last_commit_leaves_the_checkpoint_to_the_store(store: Store, tmp_path: Path) -> None:
    """The commit that ends a run would copy the log into the .db file itself when it takes the log
    past SQLite's checkpoint size (1,000 pages), before the run's end could be told; it leaves that
    to `checkpoint_soon`, which copies it while the summary is drawn, and `close()`, which waits."""
    suite_id = store.save_suite(make_suite(1))
    run_id = store.create_run(suite_id=suite_id, model=DEMO, total=1)
    writer = store.writer()
    writer.put(result_row(run_id, "case-000000", output="x" * 5_000_000))  # past 1,000 pages alone
    writer.close()
    assert rows_in_the_db_file_alone(store.path, tmp_path) == 0
    store.checkpoint_soon()
    store.close()
    assert rows_in_the_db_file_alone(store.path, tmp_path) == 1


def test_a_run_ended_by_its_writer_is_in_the_db_file_once_the_store_is_closed(
    store: Store, tmp_path: Path
) -> None:
    """The writer's thread checkpoints after the run's end, which `finish_run` returns before; the
    store's close waits for it."""
    suite_id = store.save_suite(make_suite(30))
    run_id = store.create_run(suite_id=suite_id, model=DEMO, total=30)
    writer = store.writer()
    for i in range(30):
        writer.put(result_row(run_id, f"case-{i:06d}"))
    writer.finish_run(run_id, "completed", lambda latencies: run_metrics([]))
    store.close()
    assert rows_in_the_db_file_alone(store.path, tmp_path) == 30
    copy = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert copy.execute("SELECT status, done FROM runs").fetchall() == [("completed", 30)]
    finally:
        copy.close()
