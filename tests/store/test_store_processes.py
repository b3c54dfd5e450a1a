"""Several processes, one file: a killed writer loses nothing it reported, and readers running
beside writers never see "database is locked"."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from evaltui.store import Store
from tests.store import workers

SPAWN = multiprocessing.get_context("spawn")


def committed_before_kill(db_path: Path, kill_after_batches: int) -> tuple[str, set[str]]:
    """Start a child writing results, SIGKILL it after it reported some committed batches,
    and return its run id with every case id it reported committed (pipe drained to the end)."""
    receiver, sender = SPAWN.Pipe(duplex=False)
    child = SPAWN.Process(target=workers.write_until_killed, args=(str(db_path), sender))
    child.start()
    sender.close()  # so that reading reaches EOF once the child is gone
    run_id, reported, batches = "", set(), 0
    try:
        while batches < kill_after_batches:
            kind, payload = receiver.recv()
            if kind == "run":
                run_id = payload
            elif kind == "committed":
                reported.update(payload)
                batches += 1
            else:
                pytest.fail(f"the child finished before it was killed: {kind}")
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        while True:  # messages sent before the kill are still in the pipe
            try:
                kind, payload = receiver.recv()
            except EOFError:
                break
            if kind == "committed":
                reported.update(payload)
    finally:
        if child.is_alive():
            child.kill()
            child.join()
    assert child.exitcode == -signal.SIGKILL
    return run_id, reported


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_batches", [1, 7, 25])
def test_kill_9_loses_no_result_whose_commit_was_reported(db_path: Path, kill_after_batches: int) -> None:
    run_id, reported = committed_before_kill(db_path, kill_after_batches)
    assert reported
    assert workers.integrity(db_path) == "ok"
    with Store(db_path) as store:
        stored = {r.case_id for r in store.iter_results(run_id, columns=("case_id",))}
        assert reported <= stored
        assert store.mark_stale_runs() == [run_id]
        run = store.get_run(run_id)
        assert run.status == "interrupted"
        assert run.done == len(stored)


@pytest.mark.slow
def test_two_writer_processes_and_a_reader_never_see_database_is_locked(db_path: Path) -> None:
    rows = 3_000
    Store(db_path).close()
    with ProcessPoolExecutor(max_workers=3, mp_context=SPAWN) as pool:
        reader = pool.submit(workers.read_while_writing, str(db_path), 2)
        writers = [pool.submit(workers.write_run, str(db_path), f"suite-{n}", rows) for n in range(2)]
        run_ids = [w.result(timeout=240) for w in writers]  # an exception in a child is raised here
        assert reader.result(timeout=240) > 0
    assert workers.integrity(db_path) == "ok"
    with Store(db_path) as store:
        for run_id in run_ids:
            run = store.get_run(run_id)
            assert (run.status, run.done, run.failed) == ("completed", rows, rows // 3)
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM results").fetchone()[0] == 2 * rows
    conn.close()
