"""kill -9 of `evaltui run` around the moment its rows reach the file. A new run's rows (its suite's,
its cases', its own) are its result writer's first transaction, made while the first requests are
already out (store/db.py's `Store.new_run`): killed before that commits, the file holds nothing of
the run, and the run was never told started; killed after, it holds the whole suite and the run,
which `--resume` finishes. Never a suite without its cases.

The moment is held open by this test holding the database's write lock: the run's requests go out
meanwhile, and its rows wait for the lock."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from evaltui.store import Store

from fake_api import FakeApi
from harness import api_suite, base_env, evaltui, events_of, integrity, openai_model, start_evaltui

CASES = 30
SEED = 20261130


def command(suite: Path, db: Path) -> list[str]:
    return ["run", str(suite), "--db", str(db), "--events", "-", "--no-cache", "-c", "4"]


def resume(run_id: str, db: Path) -> list[str]:
    return ["run", "--resume", run_id, "--db", str(db), "--events", "-", "--no-cache", "-c", "4"]


def hold_write_lock(db: Path) -> sqlite3.Connection:
    """The database's write lock, taken and held (as another process's long write would)."""
    Store(db).close()  # the file at the current schema: opening it needs no write
    lock = sqlite3.connect(db, isolation_level=None, timeout=30)
    lock.execute("BEGIN IMMEDIATE")
    return lock


def wait_for_a_request(fake_api: FakeApi, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not fake_api.stats["requests"]:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "no request was sent while the run's rows waited"
        time.sleep(0.01)


def kill(proc: subprocess.Popen[str], *, or_ended: bool = False) -> str:
    """SIGKILL the process (`or_ended`: unless it ended first); what it had written to stdout."""
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL or (or_ended and proc.returncode == 0)
    return out


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("suites", "cases", "runs")
        }


def suites_without_all_their_cases(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'suites'").fetchone():
            return []  # killed before its schema was committed: an empty file
        return conn.execute(
            "SELECT s.id, (SELECT count(*) FROM cases c WHERE c.suite_id = s.id) AS n FROM suites s "
            "WHERE n != ?",
            (CASES,),
        ).fetchall()


@pytest.fixture
def setup(fake_api: FakeApi, tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    fake_api.latency_ms = 20
    suite = api_suite(tmp_path / "s", openai_model(fake_api.base_url), CASES)
    return suite, tmp_path / "run.db", base_env(tmp_path, FAULT_KEY="sk-kill-test")


def test_a_run_killed_before_its_rows_are_in_the_file_leaves_nothing_of_it(
    fake_api: FakeApi, tmp_path: Path, setup: tuple[Path, Path, dict[str, str]]
) -> None:
    suite, db, env = setup
    lock = hold_write_lock(db)
    try:
        proc = start_evaltui(*command(suite, db), env=env, cwd=tmp_path)
        wait_for_a_request(fake_api, proc)  # asking, though its rows are not in the file yet
        said = events_of(kill(proc))
    finally:
        lock.rollback()
        lock.close()
    assert not [e for e in said if e["event"] in ("RunStarted", "CaseFinished")]  # never told started
    assert integrity(db) == "ok"
    assert counts(db) == {"suites": 0, "cases": 0, "runs": 0}
    listed = evaltui("runs", "--json", "--db", str(db), env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []


def test_a_run_killed_as_it_is_told_started_holds_its_whole_suite_and_resumes_to_the_end(
    fake_api: FakeApi, tmp_path: Path, setup: tuple[Path, Path, dict[str, str]]
) -> None:
    suite, db, env = setup
    fake_api.latency_ms = 200  # no answer is in before the kill
    lock = hold_write_lock(db)
    proc = start_evaltui(*command(suite, db), env=env, cwd=tmp_path)
    try:
        wait_for_a_request(fake_api, proc)
    finally:
        lock.rollback()  # the run's rows go in now
        lock.close()
    assert proc.stdout is not None
    run_id = None
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "RunStarted":
            run_id = event["run_id"]
            break
    assert run_id is not None
    kill(proc)
    assert integrity(db) == "ok"
    assert counts(db) == {"suites": 1, "cases": CASES, "runs": 1}
    fake_api.latency_ms = 0
    resumed = evaltui(*resume(run_id, db), env=env, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    with Store(db) as store:
        run = store.get_run(run_id)
        assert run is not None
        assert (run.status, run.done, run.passed) == ("completed", CASES, CASES)


@pytest.mark.slow
def test_kills_at_random_moments_of_the_start_never_leave_a_suite_without_its_cases(
    fake_api: FakeApi, tmp_path: Path, setup: tuple[Path, Path, dict[str, str]]
) -> None:
    """Killed anywhere from its start to its first answers: whatever the file holds is whole (each
    suite with every case, each run resumable to the end without losing a reported result)."""
    suite, db, env = setup
    fake_api.latency_ms = 150  # its answers take a second or more: the kills land before the end
    rng = random.Random(SEED)
    for _ in range(8):
        for path in db.parent.glob("run.db*"):
            path.unlink()
        proc = start_evaltui(*command(suite, db), env=env, cwd=tmp_path)
        time.sleep(rng.uniform(0.0, 1.5))
        said = events_of(kill(proc, or_ended=True))  # (a loaded machine may be slow to kill)
        reported = {e["case_id"] for e in said if e["event"] == "CaseFinished"}
        if not db.exists():
            assert not reported
            continue
        assert integrity(db) == "ok"
        assert suites_without_all_their_cases(db) == []
        with Store(db) as store:
            runs = store.list_runs()
        told = {e["run_id"] for e in said if e["event"] == "RunStarted"}
        assert len(runs) <= 1 and told <= {r.id for r in runs}  # a run it was told of is in the file
        if not runs:
            assert not reported
            continue
        if runs[0].status == "completed":  # it ended before the kill
            continue
        resumed = evaltui(*resume(runs[0].id, db), env=env, cwd=tmp_path)
        assert resumed.returncode == 0, resumed.stderr
        asked_again = {
            e["case_id"] for e in events_of(resumed.stdout.decode()) if e["event"] == "CaseFinished"
        }
        assert not asked_again & reported  # a reported result is kept, never asked again
        with Store(db) as store:
            run = store.get_run(runs[0].id)
            assert run is not None
            assert (run.status, run.done, run.passed) == ("completed", CASES, CASES)
