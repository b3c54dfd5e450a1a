"""Fixtures for the store tests: a fresh database file, a small saved suite, a large run."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaltui.store import Store
from tests.store.factories import BIG_CASES, DEMO, make_suite, result_row, status_of


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "evaltui.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as s:
        yield s


@pytest.fixture
def small_run(store: Store) -> str:
    """A run of 10 cases: positions 0..9, case-000003 and case-000007 fail, case-000005 errors."""
    suite_id = store.save_suite(make_suite(10))
    run_id = store.create_run(suite_id=suite_id, model=DEMO, total=10)
    writer = store.writer()
    for i in range(10):
        status = {3: "fail", 7: "fail", 5: "error"}.get(i, "pass")
        writer.put(result_row(run_id, f"case-{i:06d}", status))
    writer.close()
    return run_id


@pytest.fixture(scope="module")
def big_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """100,000 results in one run, written with executemany (the writer is tested elsewhere).
    Every 10th case fails, every 50th errors; outputs of case 77,777 hold a needle."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    with Store(path) as s:
        suite_id = s.save_suite(make_suite(BIG_CASES, name="big"))
        run_id = s.create_run(suite_id=suite_id, model=DEMO, total=BIG_CASES)
    conn = sqlite3.connect(path)
    rows = (
        (
            run_id,
            f"case-{i:06d}",
            0,
            i,
            status_of(i),
            "needle in output" if i == 77_777 else f"out {i}",
            "[]",
            "[]",
        )
        for i in range(BIG_CASES)
    )
    with conn:
        conn.executemany(
            "INSERT INTO results (run_id, case_id, epoch, position, status, output, prompt, scores) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.close()
    return path, run_id
