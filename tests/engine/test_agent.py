"""The agent loop (max_steps > 1) against the loopback fake API and a real SQLite file: tools run
from canned results, each step stored, tokens added up, the step limit and missing results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaltui.engine import Runner, RunOptions, prepare
from evaltui.store import Store
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec

from fake_api import FakeApi, Seen

SUITE = """
name: weather-agent
prompt: "Q: {{ input }}"
max_steps: 3
tools:
  - type: function
    function:
      name: get_weather
      parameters: {type: object, properties: {city: {type: string}}, required: [city]}
  - type: function
    function:
      name: get_time
      parameters: {type: object, properties: {city: {type: string}}}
scorers:
  - {type: tool-call, name: get_weather, arguments: {city: Paris}}
cases:
  - id: paris
    input: weather in paris
    tool_results:
      get_weather: [{when: {city: Paris}, result: "18C and sunny"}, {result: "unknown city"}]
      get_time: "12:00"
  - id: no-results
    input: weather in rome
"""


def steps_taken(seen: Seen) -> int:
    """How many answers the conversation already holds (tool turns sent back)."""
    messages = seen.body["messages"]
    return sum(
        1 for m in messages if m.get("role") == "assistant" and (m.get("tool_calls") or _has_tool_use(m))
    )


def _has_tool_use(message: dict[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, list) and any(b.get("type") == "tool_use" for b in content)


def weather_then_answer(seen: Seen) -> list[dict[str, Any]] | None:
    """Step 1: weather and time in parallel; step 2: a plain answer."""
    if steps_taken(seen):
        return None
    return [
        {"id": "w1", "name": "get_weather", "arguments": {"city": "Paris"}},
        {"id": "t1", "name": "get_time", "arguments": {"city": "Paris"}},
    ]


def load(tmp_path: Path, text: str = SUITE) -> Any:
    path = tmp_path / "suite.yaml"
    path.write_text(text)
    return prepare(load_suite(path))


def model(fake_api: FakeApi, provider: str = "openai") -> ModelSpec:
    base_url = fake_api.base_url if provider == "openai" else fake_api.url
    return ModelSpec(provider=provider, model="m", base_url=base_url, max_retries=0)  # type: ignore[arg-type]


async def run(store: Store, prepared: Any, spec: ModelSpec, **options: Any) -> dict[str, dict[str, Any]]:
    run_id = await Runner(store, prepared, spec, RunOptions(concurrency=1, **options)).run()
    found = (store.get_result(run_id, row.case_id) for row in store.iter_results(run_id))
    return {result.case_id: result.as_row() for result in found if result is not None}  # as stored


@pytest.mark.parametrize("provider", ["openai", "anthropic", "ollama"])
async def test_agent_runs_tools_and_stores_each_step(
    store: Store, tmp_path: Path, fake_api: FakeApi, provider: str
) -> None:
    fake_api.tool_calls = weather_then_answer
    results = await run(
        store,
        load(tmp_path, SUITE.replace("  - id: no-results\n    input: weather in rome\n", "")),
        model(fake_api, provider),
    )
    paris = results["paris"]
    assert paris["status"] == "pass", paris
    assert [call["name"] for call in paris["tool_calls"]] == ["get_weather", "get_time"]
    first, second = paris["steps"]
    assert [r["content"] for r in first["tool_results"]] == ["18C and sunny", "12:00"]
    assert second["tool_calls"] == [] and second["text"] == paris["output"] == "WEATHER IN PARIS"
    assert paris["tokens_in"] == first["tokens_in"] + second["tokens_in"]
    assert paris["latency_ms"] == pytest.approx(first["latency_ms"] + second["latency_ms"])
    asked_again = fake_api.seen[-1].body["messages"]
    sent_back = json.dumps(asked_again)
    assert "18C and sunny" in sent_back and "12:00" in sent_back  # the results went back to the model


async def test_a_loop_that_never_stops_fails_at_max_steps(
    store: Store, tmp_path: Path, fake_api: FakeApi
) -> None:
    fake_api.tool_calls = lambda seen: [{"id": f"c{steps_taken(seen)}", "name": "get_time", "arguments": {}}]
    results = await run(store, load(tmp_path), model(fake_api))
    paris = results["paris"]
    assert paris["status"] == "fail" and len(paris["steps"]) == 3
    assert fake_api.requests["Q: weather in paris"] == 3
    reasons = [score["reason"] for score in paris["scores"]]
    assert "max_steps (3) reached: the model was still calling tools (get_time)" in reasons


async def test_a_tool_without_a_canned_result_is_an_error_naming_it(
    store: Store, tmp_path: Path, fake_api: FakeApi
) -> None:
    fake_api.tool_calls = weather_then_answer
    results = await run(store, load(tmp_path), model(fake_api))
    rome = results["no-results"]
    assert rome["status"] == "error" and "'get_weather'" in rome["error"] and "tool_results" in rome["error"]
    assert len(rome["steps"]) == 1 and rome["steps"][0]["tool_calls"][0]["name"] == "get_weather"


async def test_unmatched_when_is_an_error_and_malformed_arguments_are_kept(
    store: Store, tmp_path: Path, fake_api: FakeApi
) -> None:
    text = SUITE.replace(', {result: "unknown city"}', "")
    fake_api.tool_calls = lambda seen: [{"id": "x", "name": "get_weather", "arguments": '{"city": "Par'}]
    results = await run(store, load(tmp_path, text), model(fake_api))
    paris = results["paris"]
    assert paris["status"] == "error" and "no `when` entry" in paris["error"]
    assert (
        paris["tool_calls"][0]["malformed"] is True
        and paris["tool_calls"][0]["raw_arguments"] == '{"city": "Par'
    )


async def test_steps_are_cached_one_by_one(store: Store, tmp_path: Path, fake_api: FakeApi) -> None:
    fake_api.tool_calls = weather_then_answer
    prepared = load(tmp_path)
    await run(store, prepared, model(fake_api))
    asked = fake_api.stats["requests"]
    again = await run(store, prepared, model(fake_api))
    assert fake_api.stats["requests"] == asked  # every step answered from the cache
    assert again["paris"]["cached"] is True and again["paris"]["status"] == "pass"
    assert len(again["paris"]["steps"]) == 2


async def test_one_step_suite_keeps_the_calls_without_a_loop(
    store: Store, tmp_path: Path, fake_api: FakeApi
) -> None:
    fake_api.tool_calls = weather_then_answer
    results = await run(store, load(tmp_path, SUITE.replace("max_steps: 3", "max_steps: 1")), model(fake_api))
    paris = results["paris"]
    assert paris["status"] == "pass" and paris["steps"] is None
    assert [c["arguments"] for c in paris["tool_calls"]] == [{"city": "Paris"}, {"city": "Paris"}]
    assert fake_api.seen[-1].body["tools"][0]["function"]["name"] == "get_weather"


PYTHON_AGENT = """
SEARCH = {"name": "search", "arguments": {"q": "hotels"}}
BOOK = {"name": "book", "arguments": {"id": 7}}

def agent(messages, vars):
    steps = [{"index": 0, "tool_calls": [SEARCH]}, {"index": 1, "text": "booked", "tool_calls": []}]
    return {"output": "booked", "tool_calls": [SEARCH, BOOK], "steps": steps}
"""


async def test_a_python_agent_reports_its_own_calls_and_steps(
    store: Store, tmp_path: Path, component: Any
) -> None:
    module = component("agent", PYTHON_AGENT)
    text = (
        "name: own-tools\nprompt: '{{ input }}'\n"
        "scorers: [{type: tool-sequence, tools: [search, book], strict: true}, {type: max-steps, max: 2}]\n"
        "cases: [{id: trip, input: book me a hotel}]\n"
    )
    result = (await run(store, load(tmp_path, text), ModelSpec(provider="python", model=f"{module}:agent")))[
        "trip"
    ]
    assert result["status"] == "pass", result["scores"]
    assert [c["name"] for c in result["tool_calls"]] == ["search", "book"] and len(result["steps"]) == 2


async def test_a_partly_cached_agent_case_spends_only_its_fresh_steps(
    store: Store, tmp_path: Path, fake_api: FakeApi
) -> None:
    """The first step's request is as before (answered from the cache), the second's is new (the
    canned time changed): the run spent the second step's tokens, not the first's again."""
    fake_api.tool_calls = weather_then_answer
    one_case = SUITE.replace("  - id: no-results\n    input: weather in rome\n", "")
    await run(store, load(tmp_path, one_case), model(fake_api))
    changed = load(tmp_path, one_case.replace('get_time: "12:00"', 'get_time: "13:00"'))
    run_id = await Runner(store, changed, model(fake_api), RunOptions(concurrency=1)).run()
    paris = store.get_result(run_id, "paris")
    first, second = paris.steps
    assert first["cached"] and not second["cached"] and not paris.cached
    run_row = store.get_run(run_id)
    assert run_row.tokens_in == second["tokens_in"] and run_row.tokens_out == second["tokens_out"]
    assert run_row.metrics.tokens_in == second["tokens_in"]
