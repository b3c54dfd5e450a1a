"""A suite's content hash reads each case's JSON as pydantic dumps it: the hand-written JSON of a
case of texts must be that very text, key order included, and every other case pydantic's own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from evaltui.suites.identity import _ASCII, DUMP_BATCH, case_json, definition_id
from evaltui.suites.models import Case, Location, Suite

CASES: list[dict[str, Any]] = [
    {"id": "a", "input": "plain"},
    {"id": "b", "input": "café ☕", "expected": "x", "vars": {"tier": "gold"}, "tags": ["t"], "cluster": "c"},
    {"id": "c", "input": "lone \ud800 surrogate", "expected": "y"},
    {"id": "d", "input": {"nested": [1, 2.5, None]}, "expected": 3},
    {"id": "e", "input": "x", "vars": {"n": 1, "f": float("nan")}},
    {"id": "f", "input": "x", "scorers": [{"type": "equals"}]},
    {"id": "g", "input": "x", "messages": [{"role": "user", "content": "{{ input }}"}]},
    {"id": "h", "input": "x", "tool_results": {"lookup": "42"}},
    {"id": "i", "input": "x", "recorded": {"output": "ok", "latency_ms": 3}},
    {"id": "j", "input": "x", "expected": ["a", "b"], "loc": Location(file="cases.jsonl", line=4)},
    {"id": 'k"\\', "input": 't\t"q"\n\x00', "vars": {"ключ": "é\u2028"}, "tags": ['a"b'], "cluster": "\x1b"},
]


@pytest.mark.parametrize("fields", CASES, ids=[c["id"] for c in CASES])
def test_a_cases_json_is_that_of_pydantics_dump(fields: dict[str, Any]) -> None:
    case = Case.model_validate(fields)
    assert case_json(case) == json.dumps(case.model_dump(mode="json"), ensure_ascii=False)
    assert case_json(case, _ASCII) == json.dumps(case.model_dump(mode="json"))


def test_the_suite_id_is_the_hash_of_its_definition_json() -> None:
    import hashlib

    suite = Suite(name="s", prompt="{{ input }}", cases=[Case.model_validate(c) for c in CASES[:5]])
    text = json.dumps(suite.model_dump(mode="json"), ensure_ascii=False)
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a lone surrogate: the whole text is escaped ASCII
        data = json.dumps(suite.model_dump(mode="json")).encode()
    assert definition_id(suite) == hashlib.sha256(data).hexdigest()[:16]
    plain = Suite(name="s", prompt="{{ input }}", cases=[Case.model_validate(c) for c in CASES[:2]])
    text = json.dumps(plain.model_dump(mode="json"), ensure_ascii=False)
    assert definition_id(plain) == hashlib.sha256(text.encode()).hexdigest()[:16]


def _stored_json_id(suite: Suite) -> str:
    import hashlib

    text = json.dumps(suite.model_dump(mode="json"), ensure_ascii=False)
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a lone surrogate: the whole text is escaped ASCII
        data = json.dumps(suite.model_dump(mode="json")).encode()
    return hashlib.sha256(data).hexdigest()[:16]


@pytest.mark.parametrize("count", [DUMP_BATCH - 1, DUMP_BATCH, DUMP_BATCH + 1, 2 * DUMP_BATCH + 3])
def test_a_suite_of_many_cases_is_hashed_as_its_definition_json(count: int) -> None:
    """The cases are encoded a batch at a time: the text hashed is still the definition's JSON,
    whatever the count, at a batch's edge or past it, and with a lone surrogate in a later batch."""
    cases = [Case.model_validate(CASES[i % len(CASES)] | {"id": f"c{i}"}) for i in range(count)]
    suite = Suite(name="s", prompt="{{ input }}", cases=cases)
    assert definition_id(suite) == _stored_json_id(suite)
    plain = Suite(name="s", cases=[Case(id=f"c{i}", input=f"é {i}") for i in range(count)])
    assert definition_id(plain) == _stored_json_id(plain)
    late = Suite(name="s", cases=[*plain.cases[:-1], Case(id="late", input="lone \ud800")])
    assert definition_id(late) == _stored_json_id(late)
