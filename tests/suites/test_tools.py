"""The tool parts of a suite (tools, tools_file, max_steps, response_format, a case's messages and
tool_results), and each way they can be wrong: a SuiteError naming the file, line and field."""

from __future__ import annotations

import json

import pytest

from evaltui.errors import SuiteError
from evaltui.suites import load_suite
from evaltui.suites.identity import suite_hash
from evaltui.suites.template import render_messages
from evaltui.suites.tools import NO_MATCH, canned_result
from tests.suites.conftest import WriteFile

AGENT = """
    name: weather-agent
    prompt: "{{ input }}"
    tools:
      - type: function
        function:
          name: get_weather
          description: Current weather for a city
          parameters:
            type: object
            properties: {city: {type: string}, unit: {type: string, enum: [c, f]}}
            required: [city]
    max_steps: 4
    response_format: {type: json_object}
    cases:
      - id: paris
        input: "What is the weather in Paris?"
        tool_results: {get_weather: "18C and sunny"}
        scorers:
          - {type: tool-call, name: get_weather, arguments: {city: Paris}}
      - id: chat
        messages:
          - {role: user, content: "I was charged twice"}
          - {role: assistant, content: "Sorry! Which order?"}
          - {role: user, content: "{{ input }}"}
        input: "Order 1234"
"""


def load_error(write: WriteFile, text: str) -> SuiteError:
    with pytest.raises(SuiteError) as info:
        load_suite(write("suite.yaml", text))
    return info.value


def test_agent_suite_loads_tools_steps_and_conversations(write: WriteFile) -> None:
    suite = load_suite(write("suite.yaml", AGENT))
    assert [t.function.name for t in suite.tools] == ["get_weather"]
    assert suite.max_steps == 4 and suite.response_format == {"type": "json_object"}
    paris, chat = suite.cases
    assert paris.tool_results == {"get_weather": "18C and sunny"}
    assert paris.scorers is not None and paris.scorers[0].options()["tool"] == "get_weather"
    assert paris.scorers[0].label == "tool-call get_weather"
    assert render_messages(suite, chat) == [
        {"role": "user", "content": "I was charged twice"},
        {"role": "assistant", "content": "Sorry! Which order?"},
        {"role": "user", "content": "Order 1234"},
    ]


def test_a_suite_without_tools_keeps_its_content_hash(write: WriteFile) -> None:
    """Suites stored before tools existed keep their ids: unset new fields are not in the dump."""
    suite = load_suite(write("suite.yaml", "name: plain\ncases: [{id: a, input: hi}]\n"))
    dumped = suite.model_dump(mode="json")
    assert not {"tools", "max_steps", "response_format"} & set(dumped)
    assert not {"messages", "tool_results"} & set(dumped["cases"][0])
    assert suite_hash(suite) == suite_hash(
        load_suite(write("again.yaml", "name: plain\ncases: [{id: a, input: hi}]\n"))
    )


def test_tools_file_is_read_beside_the_suite(write: WriteFile) -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
    write("tools.json", json.dumps({"tools": tools}))
    suite = load_suite(write("suite.yaml", "name: s\ntools_file: tools.json\ncases: [{input: x}]\n"))
    assert suite.tools[0].function.name == "lookup"


def test_result_for_a_tool_not_offered_names_case_line_and_field(write: WriteFile) -> None:
    error = load_error(write, AGENT.replace("tool_results: {get_weather:", "tool_results: {get_wether:"))
    assert error.file.endswith("suite.yaml") and error.line == 17
    assert error.field == "cases[0].tool_results.get_wether"
    assert "get_weather" in error.message and "does not offer" in error.message


def test_tool_call_scorer_naming_an_unknown_tool_is_an_error_naming_the_key_written(write: WriteFile) -> None:
    """The field is the key the suite wrote: `name:` (the README's spelling) or `tool:`, and a
    tool-sequence's `tools:`; it said `.tool` for all three."""
    error = load_error(write, AGENT.replace("name: get_weather, arguments", "name: get_time, arguments"))
    assert error.line == 19 and error.field == "cases[0].scorers[0].name"
    assert "get_time" in error.message
    error = load_error(write, AGENT.replace("name: get_weather, arguments", "tool: get_time, arguments"))
    assert error.line == 19 and error.field == "cases[0].scorers[0].tool"
    call = "type: tool-call, name: get_weather, arguments: {city: Paris}}"
    error = load_error(write, AGENT.replace(call, "type: tool-sequence, tools: [get_weather, get_time]}"))
    assert error.line == 19 and error.field == "cases[0].scorers[0].tools"


def test_invalid_parameters_schema_is_an_error(write: WriteFile) -> None:
    error = load_error(write, AGENT.replace("required: [city]", "required: city"))
    assert error.field == "tools[0].function.parameters" and error.line is not None
    assert "not a valid JSON schema" in error.message


def test_bad_tool_name_and_duplicates(write: WriteFile) -> None:
    error = load_error(write, AGENT.replace("name: get_weather\n", "name: get weather\n", 1))
    assert error.field == "tools[0].function.name"
    twice = AGENT.replace(
        "    max_steps: 4", "      - {type: function, function: {name: get_weather}}\n    max_steps: 4"
    )
    assert "offered twice" in load_error(write, twice).message


@pytest.mark.parametrize(
    ("replace", "field"),
    [
        ("max_steps: 4", "max_steps"),
        ("response_format: {type: json_object}", "response_format"),
    ],
)
def test_bad_max_steps_and_response_format(write: WriteFile, replace: str, field: str) -> None:
    bad = {"max_steps": "max_steps: 0", "response_format": "response_format: {type: yaml}"}[field]
    error = load_error(write, AGENT.replace(replace, bad))
    assert error.field == field and error.line is not None


def test_conditional_tool_results_must_be_well_formed(write: WriteFile) -> None:
    text = AGENT.replace(
        'tool_results: {get_weather: "18C and sunny"}',
        "tool_results: {get_weather: [{when: {city: Paris}, result: sunny, note: x}]}",
    )
    error = load_error(write, text)
    assert error.field == "cases[0].tool_results.get_weather[0]"


def test_canned_results_plain_json_and_matched_on_arguments() -> None:
    assert canned_result("18C", {"city": "Paris"}) == "18C"
    assert canned_result({"temp": 18}, {}) == '{"temp": 18}'
    assert canned_result([1, 2], {}) == "[1, 2]"  # a plain list is a JSON result
    table = [{"when": {"city": "Paris"}, "result": "sunny"}, {"when": {"city": "Oslo"}, "result": {"t": -3}}]
    assert canned_result(table, {"city": "Oslo", "unit": "c"}) == '{"t": -3}'
    assert canned_result(table, {"city": "Rome"}) is NO_MATCH
    assert canned_result([*table, {"result": "unknown city"}], {"city": "Rome"}) == "unknown city"


def test_case_message_template_error_names_the_case(write: WriteFile) -> None:
    error = load_error(write, AGENT.replace('content: "{{ input }}"', 'content: "{{ input "'))
    assert error.field == "cases[1].messages[2].content" and error.line == 20


def test_a_response_format_an_anthropic_model_of_the_suite_cannot_take_is_a_load_error(
    write: WriteFile,
) -> None:
    """Anthropic takes a json_schema response_format only: `{type: json_object}` with an Anthropic
    model validated `ok` and every case of the run then errored on it, exit 0."""
    text = (
        "name: s\nprompt: '{{ input }}'\nresponse_format: {type: json_object}\n"
        "models:\n  - {id: claude, provider: anthropic, model: claude-x}\n"
        "scorers: [json-valid]\ncases: [{id: a, input: x}]\n"
    )
    error = load_error(write, text)
    assert (error.line, error.field) == (3, "response_format"), error
    assert "claude" in error.message and "json_schema" in error.message
    schema = "{type: json_schema, json_schema: {name: a, schema: {type: object}}}"
    assert load_suite(write("ok.yaml", text.replace("{type: json_object}", schema))).response_format
