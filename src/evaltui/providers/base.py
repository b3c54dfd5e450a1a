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

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from evaltui.errors import ProviderError
from evaltui.suites.models import ModelSpec

MAX_INT = 2**63 - 1  # SQLite's INTEGER


class BadValue(ProviderError):
    """A value a provider returned that evaltui cannot keep: out of range, not finite, too large.
    Not retryable: the same question is likely to bring the same answer."""


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
