"""Many processes, one file: `evaltui run` writes a 5,000-case run while a second `evaltui run`
writes another run into the same database, `evaltui show RUN --json` and `evaltui runs --json`
read it again and again in their own processes, and a `Store` in this process pages and counts
its results. No "database is locked" (or any error) reaches a user, every read sees a consistent
and growing run, and no result is lost."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from evaltui.store import Store

from harness import EVALTUI, base_env, evaltui, integrity, start_evaltui, write_cases

BIG = 5000
SECOND = 2000


def echo_suite(folder: Path, n: int, name: str) -> Path:
    """demo:echo answers the prompt itself, so every case passes: counts must equal totals."""
    folder.mkdir(parents=True, exist_ok=True)
    write_cases(
        folder / "cases.jsonl", ({"id": f"c{i}", "input": f"q{i}", "expected": f"q{i}"} for i in range(n))
    )
    path = folder / "suite.yaml"
    path.write_text(
        f"name: {name}\nprompt: '{{{{ input }}}}'\nmodels:\n"
        "  - id: echo\n    provider: demo\n    model: echo\n    params: {latency_ms: 2}\n"
        "scorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    return path


class Writer:
    """An `evaltui run --events -` process whose events are drained by a thread."""

    def __init__(self, suite: Path, db: Path, env: dict[str, str], cwd: Path) -> None:
        self.proc = start_evaltui(
            "run", str(suite), "--db", str(db), "--events", "-", "-c", "8", env=env, cwd=cwd
        )
        self.run_id: str | None = None
        self.started = threading.Event()
        self.finished_events = 0
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            event = json.loads(line)
            if event["event"] == "RunStarted":
                self.run_id = event["run_id"]
                self.started.set()
            elif event["event"] == "CaseFinished":
                self.finished_events += 1

    def finish(self) -> tuple[int, str]:
        stderr = self.proc.stderr.read() if self.proc.stderr else ""
        self.proc.wait(300)
        self.thread.join(30)
        return self.proc.returncode, stderr


def repeat_until(done: Callable[[], bool], read: Callable[[], None], at_least: int) -> int:
    """Call `read` until `done()` and at least `at_least` times; returns how many reads ran."""
    reads = 0
    while reads < at_least or not done():
        read()
        reads += 1
    return reads


@pytest.mark.slow
def test_two_writers_and_three_readers_share_one_file_without_locked_errors(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    db = tmp_path / "shared.db"
    env = base_env(tmp_path)
    Store(db).close()  # both writers open an existing file, as a team sharing one would
    big = Writer(echo_suite(tmp_path / "big", BIG, "big"), db, env, tmp_path)
    second = Writer(echo_suite(tmp_path / "second", SECOND, "second"), db, env, tmp_path)
    assert big.started.wait(120), "the big run never started"
    run_id = big.run_id
    assert run_id is not None
    both_done = lambda: big.proc.poll() is not None and second.proc.poll() is not None  # noqa: E731
    problems: list[str] = []
    seen_done: list[int] = []

    def show_json() -> None:
        shown = evaltui("show", run_id, "--json", "--db", str(db), env=env, cwd=tmp_path)
        if shown.returncode != 0 or shown.stderr:
            problems.append(f"show: exit {shown.returncode}: {shown.stderr.decode()[:300]}")
            return
        seen_done.append(json.loads(shown.stdout)["run"]["done"])

    def runs_json() -> None:
        listed = evaltui("runs", "--json", "--db", str(db), env=env, cwd=tmp_path)
        if listed.returncode != 0 or listed.stderr:
            problems.append(f"runs: exit {listed.returncode}: {listed.stderr.decode()[:300]}")

    reader = Store(db, create=False)
    counted: list[int] = []

    def page_and_count() -> None:
        try:
            count = reader.count_results(run_id)
            page = reader.page_results(run_id, offset=max(0, count - 100), limit=100)
            failing = reader.count_results(run_id, status=["fail", "error"])
        except Exception as exc:  # any error a reader meets is the finding
            problems.append(f"store reader: {exc!r}")
            return
        if not min(100, count) <= len(page) <= 100 or failing:  # the run may grow between queries
            problems.append(f"store reader: count {count}, page {len(page)}, failing {failing}")
        counted.append(count)

    results: dict[str, int] = {}
    threads = [
        threading.Thread(target=lambda: results.__setitem__("show", repeat_until(both_done, show_json, 3))),
        threading.Thread(target=lambda: results.__setitem__("runs", repeat_until(both_done, runs_json, 3))),
        threading.Thread(
            target=lambda: results.__setitem__("store", repeat_until(both_done, page_and_count, 20))
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    reader.close()
    big_code, big_err = big.finish()
    second_code, second_err = second.finish()

    assert problems == []
    assert (big_code, second_code) == (0, 0), big_err + second_err
    assert "locked" not in big_err + second_err
    assert seen_done == sorted(seen_done) and counted == sorted(counted)  # reads only ever see growth
    assert counted[0] < BIG  # the reader did read while the run was being written
    assert big.finished_events == BIG and second.finished_events == SECOND
    with Store(db) as store:
        for writer, total in ((big, BIG), (second, SECOND)):
            run = store.get_run(writer.run_id)
            assert (run.status, run.done, run.passed) == ("completed", total, total)
            assert store.count_results(writer.run_id) == total
    assert integrity(db) == "ok"
    assert min(results.values()) >= 3
    for reader, reads in results.items():
        record_property(f"reads_{reader}", reads)


def test_a_locked_database_never_surfaces_while_a_writer_holds_a_long_transaction(tmp_path: Path) -> None:
    """Another program (here sqlite3 itself) holds the write lock for a second while `evaltui run`
    starts writing: the run waits for it (busy timeout, retries) instead of failing."""
    db = tmp_path / "held.db"
    env = base_env(tmp_path)
    Store(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    suite = echo_suite(tmp_path / "s", 200, "held")
    command = [EVALTUI, "run", str(suite), "--db", str(db), "-q"]
    run = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    threading.Event().wait(1.0)  # let the run reach its first write and wait on the lock
    holder.execute("COMMIT")
    holder.close()
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err.decode()
    assert b"locked" not in err
    with Store(db) as store:
        (row,) = store.list_runs()
        assert row.done == 200
