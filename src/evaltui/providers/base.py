"""The one small protocol every model family sits behind.

A provider turns a rendered `Request` into a `Completion`. It does not retry, cache or time
out on its own: the engine does that uniformly (engine/retry.py). A provider raises
`ProviderError(retryable=...)` when the model could not be asked; it never returns a
half-answer as if it were an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from evaltui.suites.models import ModelSpec


@dataclass(frozen=True, slots=True)
class Request:
    messages: list[dict[str, str]]  # [{"role": "user", "content": "..."}]
    params: dict[str, Any] = field(default_factory=dict)  # the spec's params, merged
    case_id: str = ""  # for python callables and demo models that want the case
    vars: dict[str, Any] = field(default_factory=dict)  # the case's input/expected/vars (python provider)


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_ms: float = 0.0
    cost_usd: float | None = None  # only when the provider itself reports a cost
    model: str | None = None  # the model name the server says answered
    raw: dict[str, Any] | None = None  # the decoded response body (not stored by default)


class Provider(Protocol):
    spec: ModelSpec

    async def complete(self, request: Request) -> Completion: ...

    async def aclose(self) -> None: ...
