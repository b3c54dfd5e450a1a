"""OpenAI chat completions, and every server that speaks it: vLLM, llama.cpp, LM Studio,
OpenRouter, a LiteLLM proxy. `base_url` points at the API root (the part before
`/chat/completions`, usually ending in `/v1`)."""

from __future__ import annotations

from typing import Any

from evaltui.providers.base import Completion, Request, ToolCall, new_completion
from evaltui.providers.remote import RemoteProvider, as_cost, as_int


class OpenAIProvider(RemoteProvider):
    path = "/chat/completions"

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def body(self, request: Request) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.spec.model, "messages": wire_messages(request.messages)}
        if request.tools:
            body["tools"] = request.tools
        if request.response_format is not None:
            body["response_format"] = request.response_format
        body.update(self.spec.params)  # as `self.params(request)` merges them, without a dict between
        if request.params is not self.spec.params:  # a run's own model sends the spec's params
            body.update(request.params)
        return body

    def parse(self, data: dict[str, Any], latency_ms: float) -> Completion:
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices:
            error = data.get("error")
            if isinstance(error, dict) and error.get("message"):  # OpenRouter: 200 with an error body
                raise self.fail(f"the server answered with an error: {self.quote(str(error['message']))}")
            raise self.fail("the server answered with an empty `choices` list (no completion)")
        message = choices[0].get("message") if isinstance(choices[0], dict) else None
        if not isinstance(message, dict):
            raise self.fail("the first choice has no `message`")
        text = message.get("content") or ""
        if not text and isinstance(message.get("refusal"), str):  # a declined structured answer
            text = message["refusal"]
        if not isinstance(text, str):  # content parts
            text = "".join(p.get("text", "") for p in text if isinstance(p, dict))
        usage = given if isinstance(given := data.get("usage"), dict) else {}
        calls, cost = message.get("tool_calls"), usage.get("cost")  # most answers have neither
        return new_completion(
            tool_calls=() if calls is None else read_tool_calls(calls),
            text=text,
            tokens_in=as_int(usage.get("prompt_tokens")),
            tokens_out=as_int(usage.get("completion_tokens")),
            cost_usd=None if cost is None else as_cost(cost),
            latency_ms=latency_ms,
            model=data.get("model") if isinstance(data.get("model"), str) else None,
            raw=data,
        )


def wire_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """evaltui's chat list in the Chat Completions shape (also Ollama's base): an assistant turn's
    calls as `tool_calls` with the arguments as JSON text, a tool result as a `tool` message
    answering its call's id. Plain messages are sent as they are."""
    out: list[dict[str, Any]] = []
    for message in messages:
        if message.get("role") == "tool":
            out.append(
                {"role": "tool", "tool_call_id": message["tool_call_id"], "content": message["content"]}
            )
        elif message.get("tool_calls"):
            calls = [
                {
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["name"], "arguments": call["raw_arguments"]},
                }
                for call in message["tool_calls"]
            ]
            out.append({"role": "assistant", "content": message.get("content") or None, "tool_calls": calls})
        else:
            out.append(message)
    return out


def read_tool_calls(value: Any) -> tuple[ToolCall, ...]:
    """`message.tool_calls` (each `{id, type: function, function: {name, arguments}}`, the
    arguments JSON text) as ToolCalls. Entries that are not function calls are skipped."""
    if not isinstance(value, list):
        return ()
    calls = []
    for index, entry in enumerate(value):
        function = entry.get("function") if isinstance(entry, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            continue
        call_id = entry.get("id") if isinstance(entry.get("id"), str) else f"call_{index}"
        arguments = function.get("arguments")
        if isinstance(arguments, str):
            calls.append(ToolCall.from_text(call_id, function["name"], arguments))
        else:  # some compatible servers send an object, as Ollama does
            calls.append(ToolCall.from_value(call_id, function["name"], arguments or {}))
    return tuple(calls)
