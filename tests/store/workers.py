"""Code that runs in child processes for the many-processes tests (importable under `spawn`)."""

from __future__ import annotations

import sqlite3
import time
from multiprocessing.connection import Connection
from pathlib import Path

from evaltui.records import Result
from evaltui.store import Store
from tests.store.factories import DEMO, make_suite, result_row

CASES = 20_000


def new_run(store: Store, name: str, n: int = CASES) -> str:
    suite_id = store.save_suite(make_suite(n, name=name))
    return store.create_run(suite_id=suite_id, model=DEMO, total=n)


def write_until_killed(path: str, pipe: Connection) -> None:
    """Write results slowly forever; report each committed batch's case ids on `pipe`."""
    with Store(Path(path)) as store:
        run_id = new_run(store, "crash")
        pipe.send(("run", run_id))

        def committed(rows: list[Result]) -> None:
            pipe.send(("committed", [r.case_id for r in rows]))

        writer = store.writer(on_commit=committed)
        for i in range(CASES):
            writer.put(result_row(run_id, f"case-{i:06d}", output=f"output {i} " * 20))
            if i % 20 == 0:
                time.sleep(0.002)
        writer.close()
        pipe.send(("finished", None))


def write_run(path: str, name: str, rows: int) -> str:
    """One process writing a whole run through a ResultWriter, as `evaltui run` does."""
    with Store(Path(path)) as store:
        run_id = new_run(store, name, rows)
        writer = store.writer()
        for i in range(rows):
            writer.put(result_row(run_id, f"case-{i:06d}", "fail" if i % 3 == 0 else "pass"))
            if i % 100 == 0:
                time.sleep(0.001)  # a run trickles results in; let the reader interleave
        writer.close()
        store.refresh_counters(run_id)
        store.set_run_status(run_id, "completed")
        return run_id


def read_while_writing(path: str, until_runs_completed: int) -> int:
    """Page through whatever runs exist, as the TUI and `evaltui show` do, until the writers
    are done. Returns how many reads it made."""
    reads = 0
    with Store(Path(path)) as store:
        while store.count_runs(status="completed") < until_runs_completed:
            for run in store.list_runs():
                written = store.count_results(run.id)
                store.page_results(run.id, offset=max(0, written - 50), limit=50)
                store.page_results(run.id, status="fail", search="answer", limit=50)
                for _ in store.iter_results(run.id, columns=("case_id", "status")):
                    pass
                reads += 1
            if reads > 100_000:
                raise RuntimeError("the writers never finished")
    return reads


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()
