"""OpenAI-style request/response logs (one JSON object a line) as a suite for the `recorded`
model: production traffic scored as if answered now.

A record holds the conversation (`messages`, or `request.messages`) and the answer (`response`:
an OpenAI chat completion body, or its `choices` at the top level, or plain text). Each becomes a
case whose input is the last message's text (earlier ones: vars `message_1`, … put back by the
suite's message templates when every record has the same roles in the same order) and whose
recorded `output:` is the answer (and `tool_calls:` the calls it made), with its `latency_ms`
(or `duration_ms`), tokens (`usage`), `cost_usd` and the model that gave it. An `id` field
names the case; otherwise `log-LINE`.
No scorers are written: logs carry no expected values, so what counts as good is yours to add.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evaltui.errors import SuiteError
from evaltui.suites.importers.base import Imported
from evaltui.suites.importers.chat import message_templates, split_messages
from evaltui.suites.importers.table import collect, read_records
from evaltui.suites.models import ModelSpec, Suite


def _answer(record: dict[str, Any], display: str, line: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the recorded answer: `output` and any `tool_calls`, the response body) of one record."""
    response = record.get("response", record)
    if isinstance(response, str):
        return {"output": response}, {}
    choices = response.get("choices") if isinstance(response, dict) else None
    if not choices or not isinstance(choices, list) or not isinstance(choices[0], dict):
        raise SuiteError(
            "no answer: expected `response` (text or a body with `choices`)", file=display, line=line
        )
    message = choices[0].get("message") or {}
    content = message.get("content") if isinstance(message, dict) else None
    if content is None:
        content = choices[0].get("text")
    if isinstance(content, list):  # content parts: keep the text ones
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    calls = _tool_calls(message.get("tool_calls") if isinstance(message, dict) else None)
    if content is None and calls:  # an answer that only called tools
        content = ""
    if not isinstance(content, str):
        raise SuiteError("the answer has no text content", file=display, line=line, field="response")
    return ({"output": content, "tool_calls": calls} if calls else {"output": content}), response


def _tool_calls(value: Any) -> list[dict[str, Any]]:
    """`message.tool_calls` as a recorded answer's calls ({id, name, arguments}): the arguments
    parsed when they are JSON, else kept as written (the run marks them malformed)."""
    calls = []
    for entry in value if isinstance(value, list) else ():
        function = entry.get("function") if isinstance(entry, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            continue
        arguments = function.get("arguments")
        if isinstance(arguments, str):
            with contextlib.suppress(ValueError):
                arguments = json.loads(arguments)
        call = {"name": function["name"], "arguments": arguments}
        calls.append({"id": entry["id"], **call} if isinstance(entry.get("id"), str) else call)
    return calls


def _figures(record: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    usage = response.get("usage") or record.get("usage") or {}
    found = {
        "latency_ms": record.get("latency_ms", record.get("duration_ms")),
        "tokens_in": usage.get("prompt_tokens", usage.get("input_tokens"))
        if isinstance(usage, dict)
        else None,
        "tokens_out": usage.get("completion_tokens", usage.get("output_tokens"))
        if isinstance(usage, dict)
        else None,
        "cost_usd": record.get("cost_usd"),
        "model": response.get("model") or (record.get("request") or {}).get("model") or record.get("model"),
    }
    return {key: value for key, value in found.items() if value is not None}


def import_logs(path: Path) -> Imported:
    display = str(path)
    if path.suffix.lower() != ".jsonl":
        raise SuiteError("logs are a .jsonl file: one request/response object a line", file=display)
    shapes: set[tuple[str, ...]] = set()
    records: list[tuple[int, tuple[str, ...], dict[str, Any]]] = []
    for line, record in read_records(path):
        request = asked if isinstance(asked := record.get("request"), dict) else record
        roles, fields = split_messages(request.get("messages"), display, line, "messages")
        answer, response = _answer(record, display, line)
        fields.update(answer, **_figures(record, response))
        fields["id"] = str(record["id"]) if record.get("id") not in (None, "") else f"log-{line}"
        shapes.add(roles)
        records.append((line, roles, fields))
    notes = ["logs carry no expected values: add scorers (a judge, contains, json-valid, …) before a run"]
    if len(shapes) == 1:
        (roles,) = shapes
        suite = Suite(
            name=path.stem, messages=message_templates(roles), models=[ModelSpec(provider="recorded")]
        )
    else:  # conversations of different shapes: the last message alone is the prompt
        suite = Suite(name=path.stem, prompt="{{ input }}", models=[ModelSpec(provider="recorded")])
        notes.append(
            "the conversations differ in shape: each case's prompt is its last message; the earlier "
            "ones are kept as vars message_1, message_2, …"
        )

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for line, _, fields in records:
            yield line, fields

    suite.cases = collect(path, rows())
    return Imported(suite, f"request/response logs {path.name}", tuple(notes))
