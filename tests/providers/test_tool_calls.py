"""Tools on the wire: each provider offers tools, sends a conversation with calls and results and
reads the calls back in its vendor's documented shape, over loopback HTTP to tests/fake_api.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from evaltui.errors import ProviderError
from evaltui.providers import HttpClient, Request, make_provider
from evaltui.providers.base import ToolCall
from evaltui.suites.models import ModelSpec

from fake_api import FakeApi, Seen

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
TWO_CALLS = [
    {"id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}},
    {"id": "call_2", "name": "get_weather", "arguments": {"city": "Oslo"}},
]
CALLS = [ToolCall.from_value(c["id"], c["name"], c["arguments"]).as_dict() for c in TWO_CALLS]
CONVERSATION = [
    {"role": "system", "content": "Use tools."},
    {"role": "user", "content": "Q: weather in Paris and Oslo?"},
    {"role": "assistant", "content": "", "tool_calls": CALLS},
    {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": "18C"},
    {"role": "tool", "tool_call_id": "call_2", "name": "get_weather", "content": "-3C"},
]


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    async with HttpClient(max_connections=8) as client:
        yield client


def spec_for(api: str, fake_api: FakeApi, **params: Any) -> ModelSpec:
    base_url = fake_api.base_url if api == "openai" else fake_api.url
    return ModelSpec(provider=api, model="m", base_url=base_url, params=params)  # type: ignore[arg-type]


def calls_once(calls: list[dict[str, Any]]) -> Any:
    def answer(seen: Seen) -> list[dict[str, Any]] | None:
        return calls if not any(m.get("role") == "tool" for m in seen.body["messages"]) else None

    return answer


@pytest.mark.parametrize("api", ["openai", "anthropic", "ollama"])
async def test_parallel_tool_calls_are_read_into_one_form(
    api: str, fake_api: FakeApi, http: HttpClient
) -> None:
    fake_api.tool_calls = calls_once(TWO_CALLS)
    request = Request(messages=CONVERSATION[:2], tools=[WEATHER])
    completion = await make_provider(spec_for(api, fake_api), http).complete(request)
    assert [(c.name, c.arguments) for c in completion.tool_calls] == [
        ("get_weather", {"city": "Paris"}),
        ("get_weather", {"city": "Oslo"}),
    ]
    assert all(not c.malformed and c.raw_arguments.startswith("{") for c in completion.tool_calls)
    if api != "ollama":  # Ollama sends no ids: evaltui numbers the calls
        assert [c.id for c in completion.tool_calls] == ["call_1", "call_2"]
    else:
        assert [c.id for c in completion.tool_calls] == ["call_0", "call_1"]


async def test_openai_sends_tools_calls_and_results_in_its_shape(fake_api: FakeApi, http: HttpClient) -> None:
    spec = spec_for("openai", fake_api, tool_choice="auto")
    request = Request(messages=CONVERSATION, tools=[WEATHER], response_format={"type": "json_object"})
    await make_provider(spec, http).complete(request)
    body = fake_api.seen[-1].body
    assert body["tools"] == [WEATHER] and body["tool_choice"] == "auto"
    assert body["response_format"] == {"type": "json_object"}
    assistant, first, second = body["messages"][2:]
    assert assistant["content"] is None
    assert assistant["tool_calls"][0] == {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    assert first == {"role": "tool", "tool_call_id": "call_1", "content": "18C"}
    assert second["tool_call_id"] == "call_2"


async def test_anthropic_sends_tools_calls_and_results_in_its_shape(
    fake_api: FakeApi, http: HttpClient
) -> None:
    spec = spec_for("anthropic", fake_api, tool_choice={"type": "any"})
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}}
    response_format = {"type": "json_schema", "json_schema": {"name": "a", "schema": schema}}
    await make_provider(spec, http).complete(
        Request(messages=CONVERSATION, tools=[WEATHER], response_format=response_format)
    )
    body = fake_api.seen[-1].body
    assert body["tools"] == [
        {
            "name": "get_weather",
            "description": "Current weather for a city",
            "input_schema": WEATHER["function"]["parameters"],  # type: ignore[index]
        }
    ]
    assert body["tool_choice"] == {"type": "any"} and body["system"] == "Use tools."
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": schema}}
    _, assistant, results = body["messages"]
    assert assistant == {
        "role": "assistant",
        "content": [
            {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "call_2", "name": "get_weather", "input": {"city": "Oslo"}},
        ],
    }
    assert results == {  # both results answer in one user turn
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "call_1", "content": "18C"},
            {"type": "tool_result", "tool_use_id": "call_2", "content": "-3C"},
        ],
    }


async def test_ollama_sends_tools_calls_and_results_in_its_shape(fake_api: FakeApi, http: HttpClient) -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}}
    response_format = {"type": "json_schema", "json_schema": {"name": "a", "schema": schema}}
    await make_provider(spec_for("ollama", fake_api), http).complete(
        Request(messages=CONVERSATION, tools=[WEATHER], response_format=response_format)
    )
    body = fake_api.seen[-1].body
    assert body["tools"] == [WEATHER] and body["format"] == schema
    assistant, first, _ = body["messages"][2:]
    assert assistant["tool_calls"][0] == {"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}
    assert first == {"role": "tool", "content": "18C", "tool_name": "get_weather"}


async def test_malformed_arguments_are_kept_raw_and_marked(fake_api: FakeApi, http: HttpClient) -> None:
    fake_api.tool_calls = calls_once([{"id": "c1", "name": "get_weather", "arguments": '{"city": "Par'}])
    completion = await make_provider(spec_for("openai", fake_api), http).complete(
        Request(messages=CONVERSATION[:2], tools=[WEATHER])
    )
    (call,) = completion.tool_calls
    assert call.malformed and call.arguments is None and call.raw_arguments == '{"city": "Par'
    assert call.as_dict()["malformed"] is True


async def test_plain_requests_are_sent_as_before(fake_api: FakeApi, http: HttpClient) -> None:
    """No tools offered: no `tools`, `tool_choice` or format keys appear in any body."""
    for api in ("openai", "anthropic", "ollama"):
        await make_provider(spec_for(api, fake_api), http).complete(Request(messages=CONVERSATION[:2]))
        body = fake_api.seen[-1].body
        assert not {"tools", "response_format", "output_config", "format"} & set(body)


async def test_python_agent_reports_its_own_calls_and_steps(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, http: HttpClient
) -> None:
    (tmp_path / "evaltui_test_agent.py").write_text(
        "def agent(messages, vars):\n"
        "    return {'output': 'done', 'tool_calls': [{'name': 'search', 'arguments': {'q': 'x'}},\n"
        "            {'id': 'b', 'name': 'open', 'arguments': '{not json'}],\n"
        "            'steps': [{'thought': 'search first'}]}\n"
        "def bad(messages, vars):\n"
        "    return {'output': 'done', 'tool_calls': [{'arguments': {}}]}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = ModelSpec(provider="python", model="evaltui_test_agent:agent")
    completion = await make_provider(spec, http).complete(Request(messages=CONVERSATION[:2]))
    assert [(c.id, c.name, c.arguments, c.malformed) for c in completion.tool_calls] == [
        ("call_0", "search", {"q": "x"}, False),
        ("b", "open", None, True),
    ]
    assert completion.steps == ({"thought": "search first"},)
    bad = ModelSpec(provider="python", model="evaltui_test_agent:bad")
    with pytest.raises(ProviderError, match="tool_calls"):
        await make_provider(bad, http).complete(Request(messages=CONVERSATION[:2]))
