"""Ollama's native chat API (`/api/chat`, not streamed). Sampling params go to `options`
(`max_tokens` is Ollama's `num_predict`); `format`, `keep_alive`, `think` and `tools` stay at
the top level, as the API expects."""

from __future__ import annotations

from typing import Any

from evaltui.providers.base import Completion, Request
from evaltui.providers.remote import RemoteProvider, as_int

TOP_LEVEL = frozenset({"format", "keep_alive", "think", "tools"})


class OllamaProvider(RemoteProvider):
    path = "/api/chat"

    def auth_headers(self, key: str) -> dict[str, str]:  # for Ollama behind an authenticating proxy
        return {"Authorization": f"Bearer {key}"}

    def body(self, request: Request) -> dict[str, Any]:
        params = self.params(request)
        options = dict(params.pop("options", None) or {})
        body: dict[str, Any] = {"model": self.spec.model, "messages": request.messages, "stream": False}
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
        return Completion(
            text=text if isinstance(text, str) else str(text),
            tokens_in=as_int(data.get("prompt_eval_count")),
            tokens_out=as_int(data.get("eval_count")),
            latency_ms=latency_ms,
            model=data.get("model") if isinstance(data.get("model"), str) else None,
            raw=data,
        )
