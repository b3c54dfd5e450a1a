"""Anthropic's Messages API. System messages go to the top-level `system` field; `max_tokens`,
which the API requires, defaults to DEFAULT_MAX_TOKENS when the spec does not set it."""

from __future__ import annotations

from typing import Any

from evaltui.providers.base import Completion, Request
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
            "messages": [m for m in request.messages if m["role"] != "system"],
            "max_tokens": DEFAULT_MAX_TOKENS,
            **self.params(request),
        }
        if system:
            body["system"] = "\n\n".join(system)
        return body

    def parse(self, data: dict[str, Any], latency_ms: float) -> Completion:
        content = data.get("content")
        if not isinstance(content, list):
            raise self.fail("the answer has no `content` list")
        # An empty list is a real (empty) answer: the model stopped at once.
        text = "".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return Completion(
            text=text,
            tokens_in=as_int(usage.get("input_tokens")),
            tokens_out=as_int(usage.get("output_tokens")),
            latency_ms=latency_ms,
            model=data.get("model") if isinstance(data.get("model"), str) else None,
            raw=data,
        )
