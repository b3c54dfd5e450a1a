"""Cases stream: a suite read from a case file is walked, not held, and a run's plan reads each
case as the run reaches it, so memory does not grow with the suite."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest

from evaltui.engine import Runner, RunOptions, prepare
from evaltui.engine.plan import plan_run
from evaltui.engine.rerun import rescore
from evaltui.engine.resume import plan_resume
from evaltui.errors import SuiteError
from evaltui.scorers.sandbox_choice import unsandboxed_warning, with_sandbox
from evaltui.store.codec import dump_json
from evaltui.suites import caselist, load_suite
from evaltui.suites.identity import definition_id
from evaltui.suites.models import ModelSpec


@pytest.fixture(autouse=True)
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suites here are read as a suite too large to keep is (tests/engine/test_kept_cases.py)."""
    monkeypatch.setattr(caselist, "KEEP_CASES", 0)


def test_a_case_file_is_read_again_on_each_walk_not_held(make_suite) -> None:
    prepared = make_suite(5)
    cases = prepared.suite.cases
    first, again = next(iter(cases)), next(iter(cases))
    assert first == again and first is not again  # built afresh from the file, not kept
    assert len(cases) == 5 and [c.id for c in cases] == [f"c{i}" for i in range(5)]


def test_planning_reads_each_case_only_when_the_run_reaches_it(
    make_suite, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared = make_suite(50)
    read: list[int] = []
    real = caselist.iter_case_file

    def counting(*args: object) -> Iterator[tuple[int, dict]]:
        for line, fields in real(*args):
            read.append(line)
            yield line, fields

    monkeypatch.setattr(caselist, "iter_case_file", counting)
    plan = plan_run(store, prepared, ModelSpec(provider="demo", model="echo"), RunOptions(epochs=2), None)
    assert (plan.to_ask, plan.total) == (100, 100)
    read.clear()
    assert isinstance(plan.work, Iterator)
    asked = [next(plan.work) for _ in range(3)]
    assert [(pc.case.id, epoch) for pc, epoch in asked] == [("c0", 0), ("c0", 1), ("c1", 0)]
    assert len(read) <= 3  # two cases read so far (a file iterator may read one ahead), not 50


def test_the_suite_id_is_the_hash_of_the_whole_definition_as_stored(tmp_path, store) -> None:
    rows = [{"id": "a", "input": "caf\u00e9"}, {"id": "b", "input": "x\ud800y", "expected": [1, {"k": None}]}]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "s.yaml").write_text("name: ids\nprompt: '{{ input }}'\ncases:\n  - file: cases.jsonl\n")
    suite = load_suite(tmp_path / "s.yaml")
    whole = dump_json(suite.model_dump(mode="json"))  # lone surrogate: escaped ASCII throughout
    expected = hashlib.sha256(whole.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    assert definition_id(suite) == expected
    assert store.save_suite(suite) == expected
    stored = store.query_one("SELECT definition FROM suites WHERE id = ?", (expected,), what="suite")
    assert json.loads(stored["definition"]) == json.loads(whole) | {"cases": []}  # the cases are rows
    ids = [r["case_id"] for r in store.query("SELECT case_id FROM cases ORDER BY position", (), what="cases")]
    assert ids == ["a", "b"]


SUITE_WITH_EVERYTHING = """name: kept
prompt: '{{ input }}'
scorers:
  - type: equals
tools:
  - {type: function, function: {name: lookup}}
cases:
  - {id: own, input: {q: "caf\\u00e9"}, expected: [1, 2], vars: {tier: gold}, tags: [a, b], cluster: k,
     scorers: [{type: contains, value: x, name: has-x}]}
  - {id: chat, input: q, messages: [{role: user, content: "hi {{ input }}"}], tool_results: {lookup: found},
     output: recorded answer, latency_ms: 5}
  - file: cases.jsonl
"""


def test_a_resumed_runs_suite_is_read_from_the_cases_rows_with_all_that_each_case_held(
    tmp_path, store
) -> None:
    rows = [{"id": f"f{i}", "input": f"x{i}", "expected": i or None, "tags": ["file"]} for i in range(3)]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "s.yaml").write_text(SUITE_WITH_EVERYTHING)
    suite = load_suite(tmp_path / "s.yaml")
    suite_id = store.save_suite(suite)
    run_id = store.create_run(suite_id=suite_id, model=ModelSpec(provider="demo", model="echo"), total=5)
    store.set_run_status(run_id, "interrupted")
    written = [case.model_dump(mode="json") for case in suite.cases]
    head = suite.model_dump(mode="json", exclude={"cases"})
    (tmp_path / "cases.jsonl").unlink()  # the files may be gone: a resume finishes what was started
    (tmp_path / "s.yaml").unlink()
    resumed = plan_resume(store, run_id).prepared.suite
    assert [case.model_dump(mode="json") for case in resumed.cases] == written
    assert len(resumed.cases) == 5 and resumed.model_dump(mode="json", exclude={"cases"}) == head
    assert definition_id(resumed) == suite_id  # the same suite, case for case


def test_a_streamed_suite_knows_its_tags_without_reading_its_files_again(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [{"id": f"t{i}", "input": "x", "tags": ["a"] if i % 2 else ["a", "b"]} for i in range(6)]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "s.yaml").write_text("name: t\nprompt: '{{ input }}'\ncases:\n  - file: cases.jsonl\n")
    suite = load_suite(tmp_path / "s.yaml")
    monkeypatch.setattr(caselist, "iter_case_file", None)  # any read of the file would fail
    assert caselist.tag_counts(suite.cases) == {"a": 6, "b": 3} and len(suite.cases) == 6


def test_a_run_renders_its_cases_on_the_loading_walk_and_prepares_without_another(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cases.jsonl").write_text('{"input": "a", "vars": {"who": "x"}}\n{"input": "b"}\n')
    suite_text = "name: t\nprompt: '{{ who }} {{ input }}'\ncases:\n  - file: cases.jsonl\n"
    (tmp_path / "s.yaml").write_text(suite_text)
    with pytest.raises(SuiteError) as info:
        load_suite(tmp_path / "s.yaml", render=True)
    assert (info.value.line, info.value.field) == (2, "prompt") and "'who' is undefined" in info.value.message
    (tmp_path / "cases.jsonl").write_text('{"input": "a", "vars": {"who": "x"}}\n')
    suite = load_suite(tmp_path / "s.yaml", render=True)
    monkeypatch.setattr(caselist, "iter_case_file", None)  # any read of the file would fail
    prepared = prepare(suite)
    assert prepared.suite is suite


def test_the_unsandboxed_warning_reads_no_case_file_when_every_case_has_the_suites_scorers(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cases.jsonl").write_text('{"input": "a"}\n{"input": "b"}\n')
    (tmp_path / "s.yaml").write_text(
        "name: t\nprompt: '{{ input }}'\nscorers:\n  - {type: code-exec, sandbox: none}\n"
        "cases:\n  - file: cases.jsonl\n"
    )
    suite = load_suite(tmp_path / "s.yaml")
    monkeypatch.setattr(caselist, "iter_case_file", None)  # any read of the file would fail
    assert "sandbox: none at scorers[0]" in (unsandboxed_warning(suite) or "")


def test_sandbox_for_a_run_rewrites_case_file_cases_as_they_are_read_never_holding_them(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = {"id": "own", "input": "a", "scorers": [{"type": "code-exec", "sandbox": "bwrap"}]}
    rows = [own, {"input": "b"}]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "s.yaml").write_text(
        "name: t\nprompt: '{{ input }}'\nscorers:\n  - {type: code-exec}\ncases:\n  - file: cases.jsonl\n"
    )
    sandboxed = with_sandbox(load_suite(tmp_path / "s.yaml"), "none")
    assert not isinstance(sandboxed.cases, list)  # a walk over the file, not a copy of its cases
    assert [case.scorers[0].model_extra["sandbox"] for case in sandboxed.cases if case.scorers] == ["none"]
    assert sandboxed.scorers[0].model_extra["sandbox"] == "none"
    monkeypatch.setattr(caselist, "iter_case_file", None)  # any read of the file would fail
    assert len(sandboxed.cases) == 2 and caselist.tag_counts(sandboxed.cases) == {}


def test_sandbox_for_a_run_reads_no_case_file_when_no_case_has_scorers_of_its_own(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cases.jsonl").write_text('{"input": "a"}\n{"input": "b"}\n')
    (tmp_path / "s.yaml").write_text(
        "name: t\nprompt: '{{ input }}'\nscorers:\n  - {type: code-exec}\ncases:\n  - file: cases.jsonl\n"
    )
    suite = load_suite(tmp_path / "s.yaml")
    monkeypatch.setattr(caselist, "iter_case_file", None)  # any read of the file would fail
    sandboxed = with_sandbox(suite, "none")
    assert sandboxed.scorers[0].model_extra["sandbox"] == "none" and len(sandboxed.cases) == 2


def test_a_case_file_changed_after_loading_is_refused_when_the_suite_is_saved_and_nothing_is_kept(
    tmp_path, store
) -> None:
    (tmp_path / "cases.jsonl").write_text('{"id": "a", "input": "x"}\n{"id": "b", "input": "y"}\n')
    (tmp_path / "s.yaml").write_text("name: t\nprompt: '{{ input }}'\ncases:\n  - file: cases.jsonl\n")
    suite = load_suite(tmp_path / "s.yaml")
    (tmp_path / "cases.jsonl").write_text('{"id": "a", "input": "x"}\n{"id": "b", "input": "z"}\n')
    with pytest.raises(SuiteError, match="case files changed") as info:
        store.save_suite(suite)
    assert info.value.file.endswith("cases.jsonl")
    assert store.query("SELECT id FROM suites", (), what="suites") == []
    assert store.query("SELECT case_id FROM cases", (), what="cases") == []


async def run_then_keep(tmp_path, store, ids: list[str], kept: list[str]) -> str:
    """A run of demo:echo over cases `ids` (a JSONL file), after which the file holds only `kept`."""

    def write(chosen: list[str]) -> None:
        rows = [{"id": i, "input": f"q{i}", "expected": f"q{i}"} for i in chosen]
        (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    write(ids)
    (tmp_path / "s.yaml").write_text(
        "name: t\nprompt: '{{ input }}'\nscorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    demo = ModelSpec(provider="demo", model="echo")
    run_id = await Runner(store, prepare(load_suite(tmp_path / "s.yaml")), demo, RunOptions()).run()
    write(kept)
    return run_id


async def test_a_rescore_reads_the_runs_answers_as_its_walk_reaches_each_case(tmp_path, store) -> None:
    ids = [f"r{i}" for i in range(5)]
    run_id = await run_then_keep(tmp_path, store, ids, ids[1:])  # r0 is gone
    plan = rescore(store, run_id)
    assert not isinstance(plan.suite.cases, list)  # a walk over the file and the run, not a copy
    assert plan.cases == 4 and [case.id for case in plan.suite.cases] == ["r1", "r2", "r3", "r4"]
    assert [case.recorded.output for case in plan.suite.cases] == [
        store.get_result(run_id, f"r{i}").output for i in range(1, 5)
    ]
    assert plan.notes == (f"1 case(s) of run {run_id} are no longer in the suite: r0",)


async def test_a_rescore_names_the_first_five_cases_gone_by_id_and_counts_them_all(tmp_path, store) -> None:
    """The cases of the run no longer in the suite are found by a walk (the suite's id hashes, then
    the run's ids in id order), never a set of every id: counted in full, the first five named."""
    ids = [f"r{i:02}" for i in range(12)]
    kept = [ids[i] for i in (1, 3, 5, 11)]  # r00, r02, r04, r06-r10 gone: 8 of them
    run_id = await run_then_keep(tmp_path, store, ids, kept)
    plan = rescore(store, run_id)
    assert plan.cases == 4
    assert plan.notes == (f"8 case(s) of run {run_id} are no longer in the suite: r00, r02, r04, r06, r07",)
