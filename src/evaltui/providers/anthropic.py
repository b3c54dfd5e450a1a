"""Anthropic's Messages API. System messages go to the top-level `system` field; `max_tokens`,
which the API requires, defaults to DEFAULT_MAX_TOKENS when the spec does not set it.

Tools are sent as {name, description, input_schema}. An assistant turn's calls become `tool_use`
blocks and the results that answer them `tool_result` blocks in the next user turn (results of one
turn's parallel calls share that turn). An OpenAI-style `response_format` of type `json_schema` is
sent as `output_config.format`; other types have no equivalent and are refused."""

from __future__ import annotations

from typing import Any

from evaltui.errors import ProviderError
from evaltui.providers.base import Completion, Request, ToolCall, new_completion
from evaltui.providers.remote import RemoteProvider, as_int

API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024


class AnthropicProvider(RemoteProvider):
    api_headers = {"anthropic-version": API_VERSION}

    def endpoint(self, base: str) -> str:
        # base_url may be given with or without the version segment
        return base + ("/messages" if base.endswith("/v1") else "/v1/messages")

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"x-api-key": key}

    def body(self, request: Request) -> dict[str, Any]:
        system = [m["content"] for m in request.messages if m["role"] == "system"]
        body: dict[str, Any] = {
            "model": self.spec.model,
            "messages": wire_messages([m for m in request.messages if m["role"] != "system"]),
            "max_tokens": DEFAULT_MAX_TOKENS,
        }
        if request.tools:
            body["tools"] = [_tool(tool) for tool in request.tools]
        if request.response_format is not None:
            body["output_config"] = {"format": self._output_format(request.response_format)}
        body.update(self.params(request))
        if system:
            body["system"] = "\n\n".join(system)
        return body

    def _output_format(self, response_format: dict[str, Any]) -> dict[str, Any]:
        spec = response_format.get("json_schema")
        if response_format.get("type") != "json_schema" or not isinstance(spec, dict) or "schema" not in spec:
            raise ProviderError(
                f"{self.spec.id}: Anthropic takes a response_format of type json_schema (with a schema) only"
            )
        return {"type": "json_schema", "schema": spec["schema"]}

    def parse(self, data: dict[str, Any], latency_ms: float) -> Completion:
        content = data.get("content")
        if not isinstance(content, list):
            raise self.fail("the answer has no `content` list")
        # An empty list is a real (empty) answer: the model stopped at once.
        text = "".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
        calls = tuple(
            ToolCall.from_value(str(b.get("id") or f"toolu_{i}"), b["name"], b.get("input", {}))
            for i, b in enumerate(content)
            if isinstance(b, dict) and b.get("type") == "tool_use" and isinstance(b.get("name"), str)
        )
        usage = given if isinstance(given := data.get("usage"), dict) else {}
        return new_completion(
            text=text,
            tool_calls=calls,
            tokens_in=as_int(usage.get("input_tokens")),
            tokens_out=as_int(usage.get("output_tokens")),
            latency_ms=latency_ms,
            model=data.get("model") if isinstance(data.get("model"), str) else None,
            raw=data,
        )


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI function tool as Anthropic's {name, description, input_schema}."""
    function = tool["function"]
    shaped = {"name": function["name"], "input_schema": function.get("parameters") or {"type": "object"}}
    if function.get("description"):
        shaped["description"] = function["description"]
    return shaped


def wire_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """evaltui's chat list (system messages already taken out) in the Messages API's shape."""
    out: list[dict[str, Any]] = []
    for message in messages:
        if message.get("role") == "tool":
            block = {
                "type": "tool_result",
                "tool_use_id": message["tool_call_id"],
                "content": message["content"],
            }
            last = out[-1] if out else None
            if last is not None and last["role"] == "user" and isinstance(last["content"], list):
                last["content"].append(block)  # parallel calls answered in one user turn
            else:
                out.append({"role": "user", "content": [block]})
        elif message.get("tool_calls"):
            blocks: list[dict[str, Any]] = []
            if message.get("content"):
                blocks.append({"type": "text", "text": message["content"]})
            for call in message["tool_calls"]:
                arguments = call["arguments"] if isinstance(call.get("arguments"), dict) else {}
                blocks.append(
                    {"type": "tool_use", "id": call["id"], "name": call["name"], "input": arguments}
                )
            out.append({"role": "assistant", "content": blocks})
        else:
            out.append(message)
    return out
