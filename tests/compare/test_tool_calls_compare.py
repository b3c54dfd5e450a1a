"""Comparing runs that called tools: cases whose calls changed are counted (names and arguments,
normalised: key order and call ids are not a change), and the diff shows the calls."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.tui.frozen import run_suite

from evaltui.records import Result
from evaltui.reports.case_diff import case_answers, diffed_text
from evaltui.reports.comparison import compare_runs, tool_call_signature
from evaltui.reports.summary import summary_lines
from evaltui.store import Store
from evaltui.suites import load_suite

SAMPLE = Path(__file__).resolve().parents[2] / "sample_suites" / "trip_assistant.yaml"


def test_key_order_and_ids_are_not_a_change() -> None:
    a = [{"id": "call_1", "name": "f", "arguments": {"x": 1, "y": [1, 2]}, "raw_arguments": "{}"}]
    b = [{"id": "toolu_9", "name": "f", "arguments": {"y": [1, 2], "x": 1}, "raw_arguments": "{ }"}]
    assert tool_call_signature(a) == tool_call_signature(b)
    assert tool_call_signature(a) != tool_call_signature([{**b[0], "arguments": {"x": 2, "y": [1, 2]}}])


def test_compare_counts_cases_whose_tool_calls_changed(db: Path, store: Store) -> None:
    models = load_suite(SAMPLE).models
    keyword = run_suite(db, SAMPLE, models[0])
    rules = run_suite(db, SAMPLE, models[1])
    again = run_suite(db, SAMPLE, models[0])
    # the same answers with the arguments' keys in another order and other call ids: no change
    conn = sqlite3.connect(db)
    with conn:
        for case_id, calls in conn.execute(
            "SELECT case_id, tool_calls FROM results WHERE run_id = ?", (again,)
        ).fetchall():
            if calls:
                shuffled = [
                    {**c, "id": "other-" + c["id"], "arguments": dict(reversed(list(c["arguments"].items())))}
                    for c in json.loads(calls)
                ]
                conn.execute(
                    "UPDATE results SET tool_calls = ? WHERE run_id = ? AND case_id = ?",
                    (json.dumps(shuffled), again, case_id),
                )
    conn.close()
    assert compare_runs(store, keyword, again).counts.changed_tool_calls == 0
    changed = compare_runs(store, keyword, rules)
    assert changed.counts.changed_tool_calls >= 10
    assert f"{changed.counts.changed_tool_calls} with changed tool calls" in summary_lines(changed)[2].plain

    answers = case_answers(store, keyword, rules, "weather-new-york")
    assert "tool calls:" in answers.text_a and answers.text_a != answers.text_b


def test_the_diff_shows_tool_calls_normalised() -> None:
    calls = ({"id": "x", "name": "f", "arguments": {"b": 1, "a": 2}},)
    text = diffed_text(Result("run", "c1", output="done", tool_calls=calls), True)
    assert text.startswith("done\n\ntool calls:\n") and text.index('"a": 2') < text.index('"b": 1')
    assert '"x"' not in text  # the call id is not diffed
    assert diffed_text(Result("run", "c1", output="done"), False) == "done"
