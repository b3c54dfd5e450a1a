"""The one small protocol every model family sits behind.

A provider turns a rendered `Request` into a `Completion`. It does not retry, cache or time
out on its own: the engine does that uniformly (engine/retry.py). A provider raises
`ProviderError(retryable=...)` when the model could not be asked; it never returns a
half-answer as if it were an answer.

What a provider returns is checked where it enters, as the `Completion` is built: token counts must
fit SQLite's INTEGER (0 to 2**63-1), a cost must be a finite number, not negative. A value that is
not is `BadValue`, that case's error, rather than a row the store cannot write or a JSON report
that is not JSON (`Infinity`).
"""

from __future__ import annotations

import json
import math
from dataclasses import field
from typing import Any, Protocol

from evaltui.errors import ProviderError
from evaltui.providers.ratelimits import RateLimits
from evaltui.recordclass import quick, record
from evaltui.suites.models import ModelSpec

MAX_INT = 2**63 - 1  # SQLite's INTEGER


class BadValue(ProviderError):
    """A value a provider returned that evaltui cannot keep: out of range, not finite, too large.
    Not retryable: the same question is likely to bring the same answer."""


@record(frozen=True, slots=True)
class ToolCall:
    """A tool call in one form whatever the vendor: OpenAI's and Ollama's `message.tool_calls`,
    Anthropic's `tool_use` blocks. Arguments that are not valid JSON (a model can write anything)
    are kept as written in `raw_arguments`, `arguments` is None and `malformed` says so: a scorer
    reports them, nothing guesses."""

    id: str
    name: str
    arguments: Any  # the parsed JSON (usually a mapping); None when malformed
    raw_arguments: str  # the arguments as the model wrote them (JSON text)
    malformed: bool = False

    @classmethod
    def from_text(cls, id: str, name: str, raw: str) -> ToolCall:
        """A call whose arguments arrived as JSON text (OpenAI)."""
        try:
            return cls(id, name, json.loads(raw) if raw.strip() else {}, raw)
        except (json.JSONDecodeError, RecursionError):
            return cls(id, name, None, raw, malformed=True)

    @classmethod
    def from_value(cls, id: str, name: str, value: Any) -> ToolCall:
        """A call whose arguments arrived as a JSON value (Anthropic's `input`, Ollama's)."""
        if isinstance(value, str):
            return cls.from_text(id, name, value)
        return cls(id, name, value, json.dumps(value, ensure_ascii=False, default=str))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToolCall:
        return cls(
            str(data.get("id") or ""),
            str(data.get("name") or ""),
            data.get("arguments"),
            str(data.get("raw_arguments") or ""),
            bool(data.get("malformed")),
        )

    def as_dict(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "name": self.name,
            "arguments": self.arguments,
            "raw_arguments": self.raw_arguments,
        }
        if self.malformed:
            data["malformed"] = True
        return data


@record(frozen=True, slots=True)
class Request:
    """What a model is asked. `messages` is a chat list in evaltui's own form, which each provider
    writes in its vendor's shape: besides {"role", "content"} messages, an assistant turn may carry
    `tool_calls` (ToolCall.as_dict() each) and a {"role": "tool", "tool_call_id", "name",
    "content"} message answers one call. `tools` are in OpenAI's function-tool format."""

    messages: list[dict[str, Any]]  # [{"role": "user", "content": "..."}]
    params: dict[str, Any] = field(default_factory=dict)  # the spec's params, merged
    case_id: str = ""  # for python callables and demo models that want the case
    vars: dict[str, Any] = field(default_factory=dict)  # the case's input/expected/vars (python provider)
    tools: list[dict[str, Any]] = field(default_factory=list)  # [{"type": "function", "function": {...}}]
    response_format: dict[str, Any] | None = None  # OpenAI's shape; each provider maps it
    recorded: dict[str, Any] | None = None  # the case's recorded answer (the `recorded` model's)


@record(frozen=True, slots=True)
class Completion:
    text: str
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_ms: float = 0.0
    cost_usd: float | None = None  # only when the provider itself reports a cost
    model: str | None = None  # the model name the server says answered
    raw: dict[str, Any] | None = None  # the decoded response body (not stored by default)
    tool_calls: tuple[ToolCall, ...] = ()  # the calls the model asked for, in its order
    steps: tuple[dict[str, Any], ...] = ()  # a python component's own trajectory, as it returned it
    rate_limits: RateLimits | None = None  # what the server's rate-limit headers said (never stored)

    def __post_init__(self) -> None:
        for name in ("tokens_in", "tokens_out"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= MAX_INT:
                shown = str(value) if abs(value) < 10**30 else f"about 2**{abs(value).bit_length() - 1}"
                raise BadValue(f"the answer's {name} is {shown}, outside 0 to 2**63-1")
        cost = self.cost_usd
        if cost is not None and not (math.isfinite(cost) and cost >= 0):
            raise BadValue(f"the answer's cost is {cost!r}, not a finite amount of 0 or more")
        if not math.isfinite(self.latency_ms):
            raise BadValue(f"the answer's latency is {self.latency_ms!r}")


new_completion = quick(Completion)  # Completion(...) as one is made for every answer


def check_size(text: str, max_mb: float) -> None:
    """An output (as UTF-8) past `max_mb` is a BadValue. Remote answers are bounded by the response
    limit before they are decoded; this bounds what a Python component returns."""
    limit = int(max_mb * 1024 * 1024)
    if len(text) > limit or (len(text) * 4 > limit and len(text.encode("utf-8", "surrogatepass")) > limit):
        raise BadValue(f"the output is larger than the limit of {max_mb:g} MB (max_response_mb)")


class Provider(Protocol):
    spec: ModelSpec

    async def complete(self, request: Request) -> Completion: ...

    async def aclose(self) -> None: ...
