"""Labels and notes on results: kept per run and case with author and time, the latest label is
the case's, filterable in pages, a hint on the same case in later runs, and older files migrate."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from evaltui.store import Store
from evaltui.store.schema import MIGRATIONS
from tests.store.factories import DEMO, make_suite, result_row
from tests.store.test_store_schema import make_v4_file


def new_run(store: Store, failing: tuple[int, ...] = (3, 7)) -> str:
    suite_id = store.save_suite(make_suite(10))
    run_id = store.create_run(suite_id=suite_id, model=DEMO, total=10)
    writer = store.writer()
    for i in range(10):
        writer.put(result_row(run_id, f"case-{i:06d}", "fail" if i in failing else "pass"))
    writer.close()
    return run_id


def test_an_annotation_keeps_label_note_author_and_time_across_reopening(db_path: Path) -> None:
    with Store(db_path) as store:
        run_id = new_run(store)
        store.annotate(run_id, "case-000003", label="expected-wrong", note="line one\nline two", author="ada")
    with Store(db_path) as store:
        (note,) = store.annotations(run_id, "case-000003")
    assert (note.label, note.note, note.author) == ("expected-wrong", "line one\nline two", "ada")
    assert note.created_at.startswith("20")


def test_the_author_defaults_to_the_os_user(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "grace")
    monkeypatch.setenv("USER", "grace")
    run_id = new_run(store)
    assert store.annotate(run_id, "case-000003", label="flaky").author == "grace"


def test_the_latest_label_is_the_cases_and_a_note_alone_does_not_clear_it(store: Store) -> None:
    run_id = new_run(store)
    store.annotate(run_id, "case-000003", label="model-wrong")
    store.annotate(run_id, "case-000003", label="expected-wrong")
    store.annotate(run_id, "case-000003", note="checked with the team")
    store.annotate(run_id, "case-000007", note="only a note")
    assert store.labels(run_id) == {"case-000003": "expected-wrong"}
    rows = store.page_results(run_id, limit=10)
    assert {r.case_id: r.label for r in rows if r.label} == {"case-000003": "expected-wrong"}


def test_pages_filter_on_a_label_or_on_any_label(store: Store) -> None:
    run_id = new_run(store)
    store.annotate(run_id, "case-000003", label="flaky")
    store.annotate(run_id, "case-000007", label="model-wrong")
    store.annotate(run_id, "case-000007", label="flaky")
    store.annotate(run_id, "case-000001", label="ambiguous")
    flaky = [r.case_id for r in store.page_results(run_id, label="flaky")]
    assert flaky == ["case-000003", "case-000007"]
    assert store.count_results(run_id, label="model-wrong") == 0  # superseded by flaky
    assert store.count_results(run_id, label="*") == 3
    assert store.count_results(run_id, label="flaky", status="fail") == 2


@pytest.mark.parametrize(
    ("label", "note", "problem"),
    [("", "", "give a label, a note"), ("two\nlines", "", "one line"), ("x" * 65, "", "one line")],
)
def test_labels_that_cannot_be_kept_are_refused(store: Store, label: str, note: str, problem: str) -> None:
    run_id = new_run(store)
    with pytest.raises(ValueError, match=problem):
        store.annotate(run_id, "case-000003", label=label, note=note)
    assert store.annotations(run_id) == []


def test_a_label_is_a_hint_on_the_same_case_in_later_runs_of_the_suite_only(store: Store) -> None:
    first = new_run(store)
    store.annotate(first, "case-000003", label="model-wrong", author="ada")
    store.annotate(first, "case-000003", label="expected-wrong", author="bob")
    later = new_run(store)
    other_suite = store.create_run(
        suite_id=store.save_suite(make_suite(3, name="other")), model=DEMO, total=3
    )
    hints = store.earlier_labels(later)
    assert {case: (a.label, a.author, a.run_id) for case, a in hints.items()} == {
        "case-000003": ("expected-wrong", "bob", first)
    }
    assert store.earlier_labels(first) == {}  # not from itself, nor from later runs
    assert store.earlier_labels(other_suite) == {}
    assert store.earlier_labels(later, ["case-000007"]) == {}


def test_a_v5_database_gains_annotation_authors_keeping_its_annotations(db_path: Path) -> None:
    run_id = make_v4_file(db_path)
    conn = sqlite3.connect(db_path)
    with conn:
        MIGRATIONS[5](conn)
        conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
        conn.execute(
            "INSERT INTO annotations (run_id, case_id, label, note, created_at) "
            "VALUES (?, 'c1', 'flaky', 'old note', '2025-01-02')",
            (run_id,),
        )
    conn.close()
    with Store(db_path) as store:
        (old,) = store.annotations(run_id)
        assert (old.label, old.note, old.author) == ("flaky", "old note", "")
        store.annotate(run_id, "c1", label="model-wrong", author="ada")
        assert store.labels(run_id) == {"c1": "model-wrong"}
    assert db_path.with_name(db_path.name + ".bak-v5").exists()
