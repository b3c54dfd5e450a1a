"""OpenAI chat completions, and every server that speaks it: vLLM, llama.cpp, LM Studio,
OpenRouter, a LiteLLM proxy. `base_url` points at the API root (the part before
`/chat/completions`, usually ending in `/v1`)."""

from __future__ import annotations

from typing import Any

from evaltui.providers.base import Completion, Request
from evaltui.providers.remote import RemoteProvider, as_cost, as_int


class OpenAIProvider(RemoteProvider):
    path = "/chat/completions"

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def body(self, request: Request) -> dict[str, Any]:
        return {"model": self.spec.model, "messages": request.messages, **self.params(request)}

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
        if not isinstance(text, str):  # content parts
            text = "".join(p.get("text", "") for p in text if isinstance(p, dict))
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return Completion(
            text=text,
            tokens_in=as_int(usage.get("prompt_tokens")),
            tokens_out=as_int(usage.get("completion_tokens")),
            cost_usd=as_cost(usage.get("cost")),
            latency_ms=latency_ms,
            model=data.get("model") if isinstance(data.get("model"), str) else None,
            raw=data,
        )
