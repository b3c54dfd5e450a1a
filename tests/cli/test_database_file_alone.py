"""The results file alone is complete once evaltui is done with it: a CI job that keeps only
`results.db` as an artefact (not its `-wal`) keeps every run and every result."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "sample_suites"


def copy_without_wal(db: Path, folder: Path) -> Path:
    folder.mkdir()
    copy = folder / db.name
    shutil.copyfile(db, copy)  # the .db file only: no -wal, no -shm
    return copy


def test_after_evaltui_run_the_db_file_alone_holds_the_run_and_its_results(cli, tmp_path: Path) -> None:
    done = cli("run", str(SAMPLES / "support_intent.yaml"), "-m", "demo:keyword", "-q")
    assert done.returncode == 0, done.stderr
    copy = copy_without_wal(tmp_path / "cli.db", tmp_path / "artefact")

    conn = sqlite3.connect(copy)
    try:
        runs = conn.execute("SELECT id, status, done FROM runs").fetchall()
        results = conn.execute("SELECT count(*) FROM results").fetchone()[0]
    finally:
        conn.close()
    assert len(runs) == 1 and runs[0][1] == "completed" and runs[0][2] > 0
    assert results == runs[0][2]
    shown = cli("runs", "--json", "--db", str(copy))
    assert [r["id"] for r in json.loads(shown.stdout)] == [runs[0][0]]


def test_after_evaltui_run_exits_its_database_is_one_file(cli, tmp_path: Path) -> None:
    """The run closes every connection before it exits, so SQLite removes its `-wal` and `-shm`:
    what is left beside the results is the one file a user copies."""
    done = cli("run", str(SAMPLES / "support_intent.yaml"), "-m", "demo:keyword")
    assert done.returncode == 0, done.stderr
    assert "pass rate" in done.stdout  # the summary was printed in full before the exit
    assert sorted(p.name for p in tmp_path.glob("cli.db*")) == ["cli.db"]
