"""A small suite read from case files is held once loaded: the loader's walk keeps the cases it
validated, and saving and running it read the files no more. A larger one is read on each walk
(tests/engine/test_streaming.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaltui.engine import RunOptions, prepare
from evaltui.engine.plan import plan_run
from evaltui.suites import caselist, load_suite
from evaltui.suites.identity import definition_id
from evaltui.suites.models import ModelSpec


def write_suite(folder: Path, n: int) -> Path:
    rows = [{"id": f"c{i}", "input": f"q{i}", "tags": ["odd"] if i % 2 else []} for i in range(n)]
    (folder / "cases.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    (folder / "s.yaml").write_text("name: t\nprompt: 'Q: {{ input }}'\ncases:\n  - file: cases.jsonl\n")
    return folder / "s.yaml"


def test_a_small_suite_is_saved_and_run_from_the_cases_its_loading_walk_validated(
    tmp_path: Path, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = load_suite(write_suite(tmp_path, 5), render=True)
    monkeypatch.setattr(caselist, "iter_case_file", None)  # any read of the file would fail
    first, again = next(iter(suite.cases)), next(iter(suite.cases))
    assert first is again and len(suite.cases) == 5

    plan = plan_run(store, prepare(suite), ModelSpec(provider="demo", model="echo"), RunOptions(), None)
    asked = [(pc.case.id, pc.messages[0]["content"]) for pc, _ in plan.work]
    assert asked == [(f"c{i}", f"Q: q{i}") for i in range(5)]
    store.writer(first=plan.rows).close()  # the run's rows, written as its writer writes them first
    rows = store.query("SELECT case_id, input, tags FROM cases ORDER BY position", (), what="cases")
    assert [(r["case_id"], json.loads(r["input"]), json.loads(r["tags"])) for r in rows] == [
        (f"c{i}", f"q{i}", ["odd"] if i % 2 else []) for i in range(5)
    ]


def test_a_kept_suite_is_run_as_it_was_validated_though_its_file_changes_after_loading(
    tmp_path: Path, store
) -> None:
    suite = load_suite(write_suite(tmp_path, 3), render=True)
    (tmp_path / "cases.jsonl").write_text('{"id": "c0", "input": "{{ undefined }}"}\n')
    store.save_suite(suite)
    rows = store.query("SELECT case_id FROM cases ORDER BY position", (), what="cases")
    assert [r["case_id"] for r in rows] == ["c0", "c1", "c2"]


@pytest.mark.parametrize(("limit", "value"), [("KEEP_CASES", 4), ("KEEP_BYTES", 100)])
def test_a_suite_past_either_limit_is_read_again_on_each_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, value: int
) -> None:
    monkeypatch.setattr(caselist, limit, value)
    suite = load_suite(write_suite(tmp_path, 5))
    first, again = next(iter(suite.cases)), next(iter(suite.cases))
    assert first == again and first is not again


def test_a_small_suite_hashed_when_saved_gets_the_id_its_loading_walk_would_have_given(
    tmp_path: Path, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader leaves a small suite's hash to its saving (from the cases it kept): the id is the
    one a suite too large to keep gets from the loader's own walk, so both are one suite."""
    model = ModelSpec(provider="demo", model="echo")
    path = write_suite(tmp_path, 5)
    small = load_suite(path, render=True)
    assert small.cases.held() is not None and small.cases.known_id(small) is None  # not hashed yet
    plan = plan_run(store, prepare(small), model, RunOptions(), None)
    store.writer(first=plan.rows).close()
    monkeypatch.setattr(caselist, "KEEP_CASES", 2)
    large = load_suite(path, render=True)
    assert large.cases.held() is None and large.cases.known_id(large) == definition_id(large)
    again = plan_run(store, prepare(large), model, RunOptions(), None)
    store.writer(first=again.rows).close()
    ids = {store.get_run(p.run_id).suite_id for p in (plan, again)}
    assert ids == {definition_id(large)}
    assert store.query_one("SELECT count(*) AS n FROM cases", (), what="cases")["n"] == 5
