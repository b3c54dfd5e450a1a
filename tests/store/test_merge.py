"""`evaltui merge`: runs from many results files in one, ids kept, merging again adds nothing,
older files migrated on a copy (the sources never change), newer ones refused."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from evaltui.errors import StoreError
from evaltui.store import Store
from evaltui.store.merge import merge_database
from tests.compare.builders import make_run, make_suite
from tests.store.test_store_schema import make_v1_file

EVALTUI = str(Path(sys.executable).with_name("evaltui"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("suites", "cases", "runs", "results", "annotations")
        }
    finally:
        conn.close()


@pytest.fixture
def machines(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """Two results files, as two CI jobs would leave them: one suite, a model each, a shared case
    annotated in one."""
    suite = make_suite(["a", "b", "c"])
    paths, run_ids = [tmp_path / "job1.db", tmp_path / "job2.db"], []
    for path, model, outcome in zip(paths, ("keyword", "rules"), ("pass", "fail"), strict=True):
        with Store(path) as store:
            run_ids.append(make_run(store, suite, {"a": "pass", "b": outcome, "c": "error"}, model=model))
            store.checkpoint()
    with Store(paths[1]) as store:
        store.annotate(run_ids[1], "b", label="wrong", note="said rules", author="ci")
    return paths[0], paths[1], run_ids


def test_runs_of_many_files_become_one_history_keeping_their_ids(machines, tmp_path: Path) -> None:
    one, two, run_ids = machines
    into = tmp_path / "all.db"
    first = merge_database(into, one)
    second = merge_database(into, two)
    assert first.added["runs"] == 1 and first.added["results"] == 3 and first.added["suites"] == 1
    assert second.added["suites"] == 0 and second.added["cases"] == 0  # the same suite: one row
    assert (second.added["runs"], second.added["results"], second.added["annotations"]) == (1, 3, 1)
    with Store(into) as store:
        assert sorted(r.id for r in store.list_runs()) == sorted(run_ids)
        assert store.get_result(run_ids[1], "b").status == "fail"
        assert store.get_result(run_ids[0], "a").input == "question a"  # cases came along
        (note,) = store.annotations(run_ids[1], "b")
        assert (note.label, note.note, note.author) == ("wrong", "said rules", "ci")
        assert store.get_run(run_ids[0]).passed == 2 and store.get_run(run_ids[1]).errors == 1


def test_merging_again_adds_nothing(machines, tmp_path: Path) -> None:
    one, two, _ = machines
    into = tmp_path / "all.db"
    for source in (one, two):
        merge_database(into, source)
    before = counts(into)
    for source in (one, two, one):
        again = merge_database(into, source)
        assert set(again.added.values()) == {0}, again.added
    assert counts(into) == before


def test_sources_are_never_changed(machines, tmp_path: Path) -> None:
    one, two, _ = machines
    hashes = {p: sha(p) for p in (one, two)}
    merge_database(tmp_path / "all.db", one)
    merge_database(tmp_path / "all.db", two)
    assert {p: sha(p) for p in (one, two)} == hashes
    assert not list(tmp_path.glob("job*.bak-*"))


def test_an_older_file_is_migrated_on_a_copy_and_merged(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    make_v1_file(old)
    before = sha(old)
    added = merge_database(tmp_path / "all.db", old).added
    assert added["runs"] == 1 and added["results"] == 1
    with Store(tmp_path / "all.db") as store:
        assert store.get_result("20250101-000000-aaaaaa", "c1").output == "old answer"
    assert sha(old) == before


def test_a_newer_file_is_refused_naming_it(machines, tmp_path: Path) -> None:
    one, _, _ = machines
    conn = sqlite3.connect(one)
    with conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StoreError, match=f"{one}.*newer than this evaltui understands"):
        merge_database(tmp_path / "all.db", one)


def test_merging_a_file_into_itself_is_refused(machines) -> None:
    one, _, _ = machines
    with pytest.raises(StoreError, match="the target itself"):
        merge_database(one, one)


def test_merge_command_says_what_each_file_added(machines, tmp_path: Path) -> None:
    one, two, run_ids = machines
    env = {**os.environ, "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml")}

    def evaltui(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EVALTUI, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
        )

    done = evaltui("merge", str(one), str(two), "--into", "all.db")
    assert done.returncode == 0, done.stderr
    assert f"{one}: 1 run added, 3 results, 1 suite, 0 annotations" in done.stdout
    assert f"{two}: 1 run added, 3 results, 0 suites, 1 annotation" in done.stdout
    again = evaltui("merge", str(one), "--into", "all.db")
    assert "0 runs added (1 already in all.db)" in again.stdout
    listed = evaltui("--db", "all.db", "runs", "--json")
    assert sorted(r["id"] for r in json.loads(listed.stdout)) == sorted(run_ids)
    compared = evaltui("--db", "all.db", "compare", run_ids[0], run_ids[1])
    assert compared.returncode == 0 and "1 regressions" in compared.stdout
    missing = evaltui("merge", "nope.db", "--into", "all.db")
    assert missing.returncode == 2 and "nope.db: no such results database" in missing.stderr
