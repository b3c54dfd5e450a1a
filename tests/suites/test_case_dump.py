"""A suite's content hash reads each case's JSON as pydantic dumps it: the hand-built dump of a
case of texts must be that very JSON, key order included, and every other case pydantic's own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from evaltui.suites.identity import case_dump, definition_id
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
]


@pytest.mark.parametrize("fields", CASES, ids=[c["id"] for c in CASES])
def test_a_cases_dump_is_pydantics_own(fields: dict[str, Any]) -> None:
    case = Case.model_validate(fields)
    assert json.dumps(case_dump(case)) == json.dumps(case.model_dump(mode="json"))


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
