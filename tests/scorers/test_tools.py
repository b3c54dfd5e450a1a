"""Tool-use scorers: the right tool, arguments, position, count, order and step limit, with a
reason that says what was called instead."""

from __future__ import annotations

from typing import Any

import pytest

from evaltui.errors import SuiteError
from evaltui.providers.base import ToolCall
from evaltui.scorers import compile_scorer
from tests.scorers.contexts import score, spec

SEARCH = ToolCall.from_value("c0", "search", {"q": "flights", "filters": {"from": "OSL", "to": "CDG"}})
WEATHER = ToolCall.from_value("c1", "get_weather", {"city": "London", "unit": "c"})
BROKEN = ToolCall.from_text("c2", "get_weather", '{"city": "Par')
CALLS = (SEARCH, WEATHER)


async def check(written: dict[str, Any], calls: tuple[ToolCall, ...] = CALLS, **ctx: Any) -> tuple[bool, str]:
    got = await score(written, "", tool_calls=calls, **ctx)
    return got.passed, got.reason


async def test_tool_call_matches_a_subset_of_the_arguments() -> None:
    assert (await check({"type": "tool-call", "tool": "get_weather", "arguments": {"city": "London"}}))[0]
    nested = {"type": "tool-call", "tool": "search", "arguments": {"filters": {"to": "CDG"}}}
    assert (await check(nested))[0]


async def test_tool_call_reason_says_what_was_called_instead() -> None:
    passed, reason = await check({"type": "tool-call", "tool": "get_weather", "arguments": {"city": "Paris"}})
    assert not passed
    assert reason == (
        'get_weather was called, but with {"city": "London", "unit": "c"}, '
        'expected {"city": "Paris"} among them'
    )
    passed, reason = await check({"type": "tool-call", "tool": "book"})
    assert not passed and reason.startswith("no call to book; called search(") and "get_weather(" in reason


async def test_exact_match_and_schema() -> None:
    exact = {"type": "tool-call", "tool": "get_weather", "arguments": {"city": "London"}, "match": "exact"}
    assert not (await check(exact))[0]
    schema = {"type": "object", "properties": {"unit": {"enum": ["f"]}}}
    passed, reason = await check({"type": "tool-call", "tool": "get_weather", "arguments_schema": schema})
    assert not passed and "$.unit" in reason


async def test_position_first_last_and_index() -> None:
    assert (await check({"type": "tool-call", "tool": "search", "position": "first"}))[0]
    assert not (await check({"type": "tool-call", "tool": "search", "position": "last"}))[0]
    assert (await check({"type": "tool-call", "tool": "get_weather", "position": 1}))[0]
    passed, reason = await check({"type": "tool-call", "tool": "get_weather", "position": 5})
    assert not passed and "at position 5" in reason


async def test_count_bounds() -> None:
    twice = (WEATHER, WEATHER)
    assert (await check({"type": "tool-call", "tool": "get_weather", "count": 2}, twice))[0]
    passed, reason = await check({"type": "tool-call", "tool": "get_weather", "count": {"max": 1}}, twice)
    assert not passed and reason == "2 matching call(s) to get_weather, expected 0 to 1"
    assert (await check({"type": "tool-call", "tool": "book", "count": 0}))[0]


async def test_malformed_arguments_never_match_and_are_named() -> None:
    passed, reason = await check({"type": "tool-call", "tool": "get_weather", "arguments": {}}, (BROKEN,))
    assert not passed and "not valid JSON" in reason


async def test_no_tool_call_and_sequence() -> None:
    assert (await check({"type": "no-tool-call"}, ()))[0]
    passed, reason = await check({"type": "no-tool-call"})
    assert not passed and reason.startswith("called search(")
    assert (await check({"type": "no-tool-call", "tool": "book"}))[0]
    assert (await check({"type": "tool-sequence", "tools": ["search", "get_weather"], "strict": True}))[0]
    assert (await check({"type": "tool-sequence", "tools": ["get_weather"]}))[0]
    passed, reason = await check({"type": "tool-sequence", "tools": ["get_weather", "search"]})
    assert not passed and reason == "expected get_weather → search; made search → get_weather"


async def test_max_steps() -> None:
    assert (await check({"type": "max-steps"}, steps=2, max_steps=4))[0]
    passed, reason = await check({"type": "max-steps", "max": 1}, steps=2, max_steps=4)
    assert not passed and reason == "took 2 steps, more than 1"
    passed, reason = await check({"type": "max-steps"}, steps=4, max_steps=4, finished=False)
    assert not passed and "still calling tools after 4" in reason


async def test_json_scorers_read_a_tool_calls_arguments() -> None:
    path = {"type": "json-path", "source": "tool_call[1].arguments", "path": "$.city", "equals": "London"}
    assert (await check(path))[0]
    schema = {"type": "object", "required": ["q"]}
    assert (await check({"type": "json-schema", "source": "tool_call[0].arguments", "schema": schema}))[0]
    passed, reason = await check({**path, "source": "tool_call[-1].arguments"}, (BROKEN,))
    assert not passed and "not valid JSON" in reason
    passed, reason = await check(path, ())
    assert not passed and "no tool_call[1]" in reason


@pytest.mark.parametrize(
    ("written", "option"),
    [
        ({"type": "json-path", "path": "$.a", "source": "tool_calls"}, "source"),
        ({"type": "tool-call", "arguments_schema": {"type": "nope"}}, "arguments_schema"),
        ({"type": "tool-sequence", "tools": []}, "tools"),
    ],
)
def test_bad_options_name_the_field(written: dict[str, Any], option: str) -> None:
    with pytest.raises(SuiteError) as info:
        compile_scorer(spec(written), suite_dir=".")
    assert info.value.field == f"scorers[0].{option}" and info.value.line == 7
