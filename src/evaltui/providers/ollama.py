"""Ollama's native chat API (`/api/chat`, not streamed). Sampling params go to `options`
(`max_tokens` is Ollama's `num_predict`); `format`, `keep_alive`, `think` and `tools` stay at
the top level, as the API expects. Tools go in OpenAI's function format; a call's arguments travel
as a JSON object, a tool result as a `tool` message naming its tool (`tool_name`); an OpenAI-style
`response_format` becomes `format` (its JSON schema, or "json")."""

from __future__ import annotations

from typing import Any

from evaltui.providers.base import Completion, Request, new_completion
from evaltui.providers.openai import read_tool_calls
from evaltui.providers.remote import RemoteProvider, as_int

TOP_LEVEL = frozenset({"format", "keep_alive", "think", "tools"})


class OllamaProvider(RemoteProvider):
    path = "/api/chat"

    def auth_headers(self, key: str) -> dict[str, str]:  # for Ollama behind an authenticating proxy
        return {"Authorization": f"Bearer {key}"}

    def body(self, request: Request) -> dict[str, Any]:
        params = self.params(request)
        options = dict(params.pop("options", None) or {})
        body: dict[str, Any] = {"model": self.spec.model, "messages": wire_messages(request.messages)}
        body["stream"] = False
        if request.tools:
            body["tools"] = request.tools
        if request.response_format is not None:
            body["format"] = _format(request.response_format)
        for key, value in params.items():
            if key in TOP_LEVEL:
                body[key] = value
            else:
                options["num_predict" if key == "max_tokens" else key] = value
        if options:
            body["options"] = options
        return body

    def parse(self, data: dict[str, Any], latency_ms: float) -> Completion:
        message = data.get("message")
        if not isinstance(message, dict):
            raise self.fail("the answer has no `message`")
        text = message.get("content") or ""
        return new_completion(
            tool_calls=read_tool_calls(message.get("tool_calls")),
            text=text if isinstance(text, str) else str(text),
            tokens_in=as_int(data.get("prompt_eval_count")),
            tokens_out=as_int(data.get("eval_count")),
            latency_ms=latency_ms,
            model=data.get("model") if isinstance(data.get("model"), str) else None,
            raw=data,
        )


def wire_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """evaltui's chat list in Ollama's shape: calls with their arguments as objects (as the model
    wrote them, or {} when they were not JSON), results as `tool` messages naming the tool."""
    out: list[dict[str, Any]] = []
    for message in messages:
        if message.get("role") == "tool":
            out.append({"role": "tool", "content": message["content"], "tool_name": message["name"]})
        elif message.get("tool_calls"):
            calls = [
                {
                    "function": {
                        "name": c["name"],
                        "arguments": c["arguments"] if c.get("arguments") is not None else {},
                    }
                }
                for c in message["tool_calls"]
            ]
            out.append({"role": "assistant", "content": message.get("content") or "", "tool_calls": calls})
        else:
            out.append(message)
    return out


def _format(response_format: dict[str, Any]) -> Any:
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema")
        if isinstance(spec, dict) and "schema" in spec:
            return spec["schema"]
    return "json"
