"""Runs: ids, lookup by what a user types, listing, counters, statuses, stale-run detection."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import evaltui
from evaltui.errors import StoreError
from evaltui.store import Store
from evaltui.suites.models import ModelSpec
from tests.store.factories import DEMO, make_suite, result_row


def new_run(store: Store, *, model: ModelSpec = DEMO, label: str | None = None, suite: str = "s") -> str:
    return store.create_run(
        suite_id=store.save_suite(make_suite(3, name=suite)), model=model, total=3, label=label
    )


def test_run_ids_sort_by_start_time_and_read_as_dates(store: Store) -> None:
    ids = [new_run(store) for _ in range(3)]
    for run_id in ids:
        assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", run_id)
    listed = [r.id for r in store.list_runs()]
    assert listed == sorted(ids, key=lambda i: store.get_run(i).started_at, reverse=True)


def test_a_run_records_suite_model_process_and_version_but_no_header_secrets(store: Store) -> None:
    model = ModelSpec(provider="openai", model="gpt-x", headers={"Authorization": "Bearer sk-SECRET-123"})
    run = store.get_run(new_run(store, model=model, suite="support"))
    assert (run.suite, run.model_id, run.status, run.total) == (
        "support",
        "openai:gpt-x",
        "running",
        3,
    )
    assert run.model_config["headers"] == ["Authorization"]
    assert (run.pid, run.version) == (os.getpid(), evaltui.__version__)
    store.close()
    assert b"sk-SECRET-123" not in store.path.read_bytes()


def test_a_run_for_an_unsaved_suite_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="save the suite"):
        store.create_run(suite_id="nope", model=DEMO, total=1)


def test_resolve_run_accepts_exact_ids_prefixes_latest_and_labels(store: Store) -> None:
    first = new_run(store, label="baseline")
    second = new_run(store, label="baseline")
    third = new_run(store)
    assert store.resolve_run(first) == first
    assert store.resolve_run("latest") == third
    assert store.resolve_run("label:baseline") == second
    assert store.resolve_run(third[:-2]) == third
    assert store.resolve_run(" " + first + " ") == first


def test_resolve_run_accepts_the_ids_tail_a_narrow_runs_list_shows(store: Store) -> None:
    """At 80 columns the TUI's Runs list shows a run as `…` and the last six characters of its id
    (the random part): typed as shown, or without the `…`, it names the run."""
    first, second = new_run(store), new_run(store)
    assert store.resolve_run(f"…{first[-6:]}") == first
    assert store.resolve_run(second[-6:]) == second


def test_resolve_run_explains_unknown_and_ambiguous_references(store: Store) -> None:
    with pytest.raises(StoreError, match="no runs yet"):
        store.resolve_run("latest")
    a = new_run(store)
    new_run(store)
    with pytest.raises(StoreError, match="matches several runs"):
        store.resolve_run(a[:9])  # the date both share
    with pytest.raises(StoreError, match="no run matches"):
        store.resolve_run("1999")
    with pytest.raises(StoreError, match="no run labelled 'gone'"):
        store.resolve_run("label:gone")


def test_list_and_count_runs_filter_by_suite_model_label_and_status(store: Store) -> None:
    new_run(store, suite="a", label="x")
    b = new_run(store, suite="b", model=ModelSpec(provider="demo", model="rules"))
    store.set_run_status(b, "completed")
    assert [r.id for r in store.list_runs(suite="b")] == [b]
    assert store.count_runs(model="demo:rules") == 1
    assert store.count_runs(label="x") == 1
    assert store.count_runs(status="running") == 1
    assert store.count_runs() == 2
    assert len(store.list_runs(limit=1, offset=1)) == 1


def test_refresh_counters_recomputes_totals_from_results(store: Store, small_run: str) -> None:
    store.refresh_counters(small_run)
    run = store.get_run(small_run)
    assert (run.done, run.passed, run.failed, run.errors) == (10, 7, 2, 1)
    assert (run.tokens_in, run.tokens_out, run.cost_usd) == (30, 20, pytest.approx(0.01))


def test_ending_a_run_sets_its_finish_time_and_resuming_clears_it(store: Store, small_run: str) -> None:
    store.set_run_status(small_run, "interrupted")
    assert store.get_run(small_run).finished_at is not None
    store.set_run_status(small_run, "running")
    assert store.get_run(small_run).finished_at is None
    with pytest.raises(StoreError, match="unknown run status"):
        store.set_run_status(small_run, "paused")


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def claim(store: Store, run_id: str, pid: int, host: str | None = None) -> None:
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute(
            "UPDATE runs SET pid = ?, hostname = coalesce(?, hostname) WHERE id = ?", (pid, host, run_id)
        )
    conn.close()


def test_running_runs_whose_process_is_gone_become_interrupted(
    store: Store, sleeper: subprocess.Popen[bytes], small_run: str
) -> None:
    dead_pid = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_pid.wait()
    claim(store, small_run, dead_pid.pid)
    alive, mine, elsewhere = new_run(store), new_run(store), new_run(store)
    claim(store, alive, sleeper.pid)
    claim(store, elsewhere, dead_pid.pid, host="another-machine")
    assert store.mark_stale_runs() == [small_run]
    run = store.get_run(small_run)
    assert (run.status, run.done, run.failed) == ("interrupted", 10, 2)
    assert {store.get_run(r).status for r in (alive, mine, elsewhere)} == {"running"}


def test_annotations_are_kept_per_case_in_order(store: Store, small_run: str) -> None:
    store.annotate(small_run, "case-000003", label="wrong-label", note="expected is stale")
    store.annotate(small_run, "case-000003", label="fixed")
    store.annotate(small_run, "case-000004", label="ok")
    notes = store.annotations(small_run, "case-000003")
    assert [(n.label, n.note) for n in notes] == [("wrong-label", "expected is stale"), ("fixed", "")]
    assert len(store.annotations(small_run)) == 3


def test_saving_the_same_suite_twice_keeps_one_copy(store: Store) -> None:
    assert store.save_suite(make_suite(5)) == store.save_suite(make_suite(5))
    assert store.save_suite(make_suite(6)) != store.save_suite(make_suite(5))
    count = store.conn().execute("SELECT count(*) FROM cases").fetchone()[0]
    assert count == 11


def claimed(store: Store, run_id: str, pid: int, *, claimed_ago: timedelta) -> None:
    """The run's process is `pid`, and took the run `claimed_ago` before now (its start or a --resume)."""
    claim(store, run_id, pid)
    conn = sqlite3.connect(store.path)
    with conn:
        at = (datetime.now(UTC) - claimed_ago).isoformat()
        conn.execute("UPDATE runs SET claimed_at = ? WHERE id = ?", (at, run_id))
    conn.close()


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="process start times come from /proc")
def test_a_run_whose_pid_was_given_to_a_newer_process_is_stale(
    store: Store, sleeper: subprocess.Popen[bytes]
) -> None:
    """The run's process died and the system gave its pid to a process started after the run was
    claimed (here: the sleeper, against a claim an hour old). A run resumed by a process that
    started before its claim is still owned, and so is one that pid 1 claimed."""
    reused, resumed, by_init, unknown = (new_run(store) for _ in range(4))
    claimed(store, reused, sleeper.pid, claimed_ago=timedelta(hours=1))
    claimed(store, resumed, sleeper.pid, claimed_ago=timedelta(0))
    claimed(store, by_init, 1, claimed_ago=timedelta(0))
    claim(store, unknown, sleeper.pid)  # an older database's run: no claim time, the pid alone decides
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute("UPDATE runs SET claimed_at = NULL WHERE id = ?", (unknown,))
    conn.close()
    assert store.mark_stale_runs() == [reused]
    assert {store.get_run(r).status for r in (resumed, by_init, unknown)} == {"running"}


def test_resuming_a_run_claims_it_anew(store: Store, small_run: str) -> None:
    run = store.get_run(small_run)
    assert run.claimed_at == run.started_at  # a new run is claimed by the process starting it
    claimed(store, small_run, 1, claimed_ago=timedelta(hours=1))
    store.set_run_status(small_run, "interrupted")
    store.set_run_status(small_run, "running")  # what --resume does
    resumed = store.get_run(small_run)
    assert resumed.pid == os.getpid() and resumed.started_at == run.started_at
    assert datetime.fromisoformat(resumed.claimed_at) > datetime.now(UTC) - timedelta(minutes=1)


def test_flaky_cases_are_all_counted_and_the_first_named_in_suite_order(tmp_path: Path) -> None:
    """A case that passed in one epoch and failed in another is flaky; an error is neither."""
    with Store(tmp_path / "f.db") as store:
        suite = make_suite(30)
        run_id = store.create_run(suite_id=store.save_suite(suite), model=DEMO, total=60, epochs=2)
        writer = store.writer()
        for position, case in enumerate(suite.cases):
            second = "fail" if position % 3 == 0 else "error" if position % 3 == 1 else "pass"
            for epoch, status in enumerate(("pass", second)):
                writer.put(result_row(run_id, case.id, status, epoch=epoch))
        writer.close()
        count, first = store.flaky_cases(run_id, 4)
    assert count == 10
    assert first == [suite.cases[i].id for i in (0, 3, 6, 9)]
