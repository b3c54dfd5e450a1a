"""The response cache: the same provider, model, parameters and rendered request give the
same answer without asking again. Keys are content hashes; the API key is never part of it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from evaltui.providers.base import Completion, Request
from evaltui.suites.models import ModelSpec


class CacheKeys:
    """One model's cache keys: the SHA-256 of the JSON, keys sorted, of the request's provider,
    model, base_url, params and messages. The model's part of that JSON is written once; each
    request adds only its messages (sorted keys put "messages" second)."""

    def __init__(self, spec: ModelSpec) -> None:
        dump = _ENCODER.encode
        self._head = f'{{"base_url": {dump(spec.base_url)}, "messages": '
        model, params, provider = dump(spec.model), dump(spec.params), dump(spec.provider)
        self._tail = f', "model": {model}, "params": {params}, "provider": {provider}}}'

    def key(self, request: Request) -> str:
        blob = self._head + _ENCODER.encode(request.messages) + self._tail
        return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)  # what json.dumps builds a call


def completion_to_dict(completion: Completion) -> dict[str, Any]:
    return {
        "text": completion.text,
        "tokens_in": completion.tokens_in,
        "tokens_out": completion.tokens_out,
        "latency_ms": completion.latency_ms,
        "cost_usd": completion.cost_usd,
        "model": completion.model,
    }


def completion_from_dict(data: dict[str, Any]) -> Completion:
    return Completion(
        text=data["text"],
        tokens_in=data.get("tokens_in"),
        tokens_out=data.get("tokens_out"),
        latency_ms=data.get("latency_ms") or 0.0,
        cost_usd=data.get("cost_usd"),
        model=data.get("model"),
    )
