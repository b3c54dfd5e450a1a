"""The batched writer: non-blocking puts, batches, on_commit after commit, errors surface."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from evaltui.analysis.metrics import run_metrics, stored_run_metrics
from evaltui.errors import StoreError
from evaltui.records import Result, RunMetrics
from evaltui.store import Store
from evaltui.store.writer import BATCH_ROWS
from tests.store.factories import DEMO, make_suite, result_row


def new_run(store: Store, n: int) -> str:
    return store.create_run(suite_id=store.save_suite(make_suite(n)), model=DEMO, total=n)


def committed_ids(path: Path, run_id: str) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT case_id FROM results WHERE run_id = ?", (run_id,))}
    finally:
        conn.close()


def test_rows_commit_in_batches_and_on_commit_runs_only_after_the_commit(store: Store) -> None:
    run_id = new_run(store, 1200)
    batches: list[int] = []
    missing: list[str] = []

    def on_commit(rows: list[Result]) -> None:
        batches.append(len(rows))
        visible = committed_ids(store.path, run_id)  # another connection sees only committed data
        missing.extend(r.case_id for r in rows if r.case_id not in visible)

    writer = store.writer(on_commit=on_commit)
    for i in range(1200):
        writer.put(result_row(run_id, f"case-{i:06d}"))
    writer.close()
    assert missing == []
    assert sum(batches) == 1200
    assert max(batches) <= BATCH_ROWS
    assert len(batches) < 1200 / 10  # batched, not a transaction per row
    assert store.count_results(run_id) == 1200


def test_put_returns_while_another_process_holds_the_write_lock(store: Store) -> None:
    run_id = new_run(store, 100)
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # someone else is writing
    writer = store.writer()
    for i in range(100):
        writer.put(result_row(run_id, f"case-{i:06d}"))  # must not wait for the lock
    assert committed_ids(store.path, run_id) == set()
    blocker.execute("COMMIT")
    blocker.close()
    writer.flush()
    assert len(committed_ids(store.path, run_id)) == 100
    writer.close()


def test_flush_returns_once_everything_put_so_far_is_committed(store: Store) -> None:
    run_id = new_run(store, 10)
    writer = store.writer()
    for i in range(10):
        writer.put(result_row(run_id, f"case-{i:06d}"))
        writer.flush()
        assert f"case-{i:06d}" in committed_ids(store.path, run_id)
    writer.close()


def test_putting_the_same_case_again_replaces_the_earlier_result(store: Store) -> None:
    run_id = new_run(store, 1)
    writer = store.writer()
    writer.put(result_row(run_id, "case-000000", "error", attempts=5))
    writer.flush()
    writer.put(result_row(run_id, "case-000000", "pass", output="resumed answer"))
    writer.close()
    result = store.get_result(run_id, "case-000000")
    assert (result.status, result.output, result.attempts) == ("pass", "resumed answer", 1)
    assert store.count_results(run_id) == 1


def test_a_batch_that_replaces_a_kept_result_writes_every_result_of_it(store: Store) -> None:
    run_id = new_run(store, 4)
    writer = store.writer()
    writer.put(result_row(run_id, "case-000001", "error", attempts=5))
    writer.close()
    committed: list[Result] = []
    writer = store.writer(on_commit=committed.extend)
    writer.put(result_row(run_id, "case-000000", "pass", output="new"))
    writer.put(result_row(run_id, "case-000001", "pass", output="asked again"))  # replaces the error
    writer.put(result_row(run_id, "case-000002", "fail", output="first"))
    writer.put(result_row(run_id, "case-000002", "pass", output="second"))  # twice in one batch: the last
    writer.put(result_row(run_id, "case-000003", "pass", output="new too"))
    writer.close()
    with sqlite3.connect(store.path) as conn:
        rows = conn.execute(
            "SELECT case_id, status, output, attempts, position FROM results WHERE run_id = ? "
            "ORDER BY case_id",
            (run_id,),
        ).fetchall()
    assert rows == [
        ("case-000000", "pass", "new", 1, 0),
        ("case-000001", "pass", "asked again", 1, 1),
        ("case-000002", "pass", "second", 1, 2),
        ("case-000003", "pass", "new too", 1, 3),
    ]
    assert [r.case_id for r in committed] == [f"case-{i:06d}" for i in (0, 1, 2, 2, 3)]


def test_a_failed_commit_is_raised_by_the_next_call_not_swallowed(store: Store) -> None:
    writer = store.writer()
    writer.put(result_row("no-such-run", "case-000000"))  # violates the runs foreign key
    with pytest.raises(StoreError, match="FOREIGN KEY"):
        writer.flush()
    with pytest.raises(StoreError):
        writer.put(result_row("no-such-run", "case-000001"))
    with pytest.raises(StoreError):
        writer.close()


def test_an_error_in_on_commit_is_raised_to_the_caller(store: Store) -> None:
    run_id = new_run(store, 1)

    def on_commit(rows: list[Result]) -> None:
        raise RuntimeError("the progress display broke")

    writer = store.writer(on_commit=on_commit)
    writer.put(result_row(run_id, "case-000000"))
    with pytest.raises(StoreError, match="the progress display broke"):
        writer.close()


def test_a_row_without_a_valid_status_is_refused_at_put(store: Store) -> None:
    writer = store.writer()
    with pytest.raises(StoreError, match="status"):
        writer.put(Result("r", "c", status="maybe"))
    writer.close()


def test_cache_entries_put_through_the_writer_are_readable_after_flush(store: Store) -> None:
    writer = store.writer()
    writer.put_cache("key-1", {"text": "hello", "tokens_in": 3})
    writer.flush()
    assert store.cache_get("key-1") == {"text": "hello", "tokens_in": 3}
    assert store.cache_get("key-2") is None
    writer.close()


def test_using_a_closed_writer_is_an_error(store: Store) -> None:
    writer = store.writer()
    writer.close()
    writer.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        writer.put(result_row("r", "c"))


def test_threads_share_one_store_each_through_its_own_connection(store: Store, small_run: str) -> None:
    counts: list[int] = []
    threads = [
        threading.Thread(target=lambda: counts.append(store.count_results(small_run))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counts == [10, 10, 10, 10]


def test_each_result_takes_its_position_from_its_own_runs_suite(store: Store) -> None:
    """One writer, rows of two runs interleaved in one batch: the same case id sits at another
    position in each run's suite, and each result is stored at its own suite's position."""
    forward = make_suite(3, name="forward")
    backward = forward.model_copy(update={"name": "backward", "cases": list(reversed(forward.cases))})
    run_a = store.create_run(suite_id=store.save_suite(forward), model=DEMO, total=3)
    run_b = store.create_run(suite_id=store.save_suite(backward), model=DEMO, total=3)
    writer = store.writer()
    for case in forward.cases:
        writer.put(result_row(run_a, case.id))
        writer.put(result_row(run_b, case.id))
    writer.close()
    conn = sqlite3.connect(store.path)
    try:
        stored = dict(
            ((run, case_id), position)
            for run, case_id, position in conn.execute("SELECT run_id, case_id, position FROM results")
        )
    finally:
        conn.close()
    assert [stored[run_a, c.id] for c in forward.cases] == [0, 1, 2]
    assert [stored[run_b, c.id] for c in forward.cases] == [2, 1, 0]


def test_what_a_result_lacks_is_stored_as_sql_null(store: Store) -> None:
    """sqlite-utils, Datasette and `IS NULL` queries see a missing cost, error or judge as NULL."""
    run_id = new_run(store, 1)
    writer = store.writer()
    writer.put(result_row(run_id, "case-000000", cost_usd=None, latency_ms=None, tokens_in=None))
    writer.close()
    conn = sqlite3.connect(store.path)
    try:
        types = conn.execute(
            "SELECT typeof(cost_usd), typeof(latency_ms), typeof(tokens_in), typeof(error), typeof(judge), "
            "typeof(tool_calls), typeof(steps), typeof(output) FROM results WHERE run_id = ?",
            (run_id,),
        ).fetchone()
    finally:
        conn.close()
    assert types == ("null",) * 7 + ("text",)


def test_put_waits_for_a_commit_once_max_queued_results_wait(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the writer falls behind, results do not pile up in memory: the putting thread waits."""
    monkeypatch.setattr("evaltui.store.writer.MAX_QUEUED", 10)
    run_id = new_run(store, 100)
    committing, release = threading.Event(), threading.Event()

    def on_commit(rows: list[Result]) -> None:
        committing.set()
        release.wait(30)  # the writer thread is stuck here: nothing more leaves the queue

    writer = store.writer(on_commit=on_commit)
    writer.put(result_row(run_id, "case-000000"))
    assert committing.wait(30)
    put: list[int] = []

    def produce() -> None:
        for i in range(1, 100):
            writer.put(result_row(run_id, f"case-{i:06d}"))
            put.append(i)

    producer = threading.Thread(target=produce)
    producer.start()
    for _ in range(3000):
        if len(put) >= 10:
            break
        producer.join(0.01)
    producer.join(0.5)
    assert producer.is_alive() and len(put) == 10  # ten queued, the eleventh waits
    release.set()
    producer.join(30)
    writer.close()
    assert len(put) == 99 and store.count_results(run_id) == 100


def test_finish_run_ends_the_run_after_its_last_batch_and_that_batchs_on_commit(store: Store) -> None:
    run_id = new_run(store, 30)
    folded: list[str] = []
    seen_by_metrics: list[int] = []

    def metrics(latencies: Any) -> RunMetrics:
        seen_by_metrics.append(len(folded))  # every batch's on_commit has run, the last one too
        return stored_run_metrics(store.iter_metric_rows(run_id), latencies)

    writer = store.writer(on_commit=lambda rows: folded.extend(r.case_id for r in rows))
    for i in range(30):
        writer.put(result_row(run_id, f"case-{i:06d}", status="fail" if i % 3 == 0 else "pass"))
    ended = writer.finish_run(run_id, "completed", metrics)
    assert seen_by_metrics == [30]
    stored = store.get_run(run_id)
    assert stored is not None and stored == ended
    assert (ended.status, ended.done, ended.passed, ended.failed) == ("completed", 30, 20, 10)
    assert ended.metrics is not None and ended.metrics.rate.n == 30
    assert ended.metrics.latency_ms.n == 30  # the percentiles read through the writer's connection
    with pytest.raises(StoreError, match="closed"):
        writer.put(result_row(run_id, "case-000031"))


def test_finish_run_after_a_failed_commit_raises_and_leaves_the_run_running(store: Store) -> None:
    run_id = new_run(store, 2)
    writer = store.writer()
    writer.put(result_row(run_id, "case-000000"))
    writer.put(result_row("no-such-run", "case-000001"))  # violates the runs foreign key
    with pytest.raises(StoreError, match="FOREIGN KEY"):
        writer.finish_run(run_id, "completed", lambda latencies: run_metrics([]))
    stored = store.get_run(run_id)
    assert stored is not None and stored.status == "running"


def test_finish_run_refuses_an_unknown_end_and_a_missing_run(store: Store) -> None:
    run_id = new_run(store, 1)
    writer = store.writer()
    with pytest.raises(StoreError, match="cannot finish as 'running'"):
        writer.finish_run(run_id, "running", lambda latencies: run_metrics([]))
    writer = store.writer()
    with pytest.raises(StoreError, match="no run 'gone'"):
        writer.finish_run("gone", "completed", lambda latencies: run_metrics([]))


def test_a_new_runs_rows_wait_for_begin_then_commit_before_its_results(store: Store) -> None:
    """A run's rows are its writer's first transaction, held back until the run's first requests
    are out (`begin`); its results, put meanwhile, commit after them."""
    run_id, rows = store.new_run(make_suite(3), model=DEMO, total=3)
    written = threading.Event()
    writer = store.writer(first=rows, on_first=written.set)
    try:
        writer.put(result_row(run_id, "case-000000"))
        assert not written.wait(0.2)  # held back: nothing of the run is in the file
        assert store.get_run(run_id) is None
        writer.begin()
        assert written.wait(30)
        assert store.get_run(run_id) is not None
        assert store.query_one("SELECT count(*) AS n FROM cases", (), what="cases")["n"] == 3
        writer.flush()
        assert committed_ids(store.path, run_id) == {"case-000000"}
    finally:
        writer.close()
