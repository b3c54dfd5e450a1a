"""The `recorded` model: it asks nothing and answers each case with the answer the case carries
(`output:`, and optionally `latency_ms`, `tokens_in`, `tokens_out`, `cost_usd`, `model`, and the
`tool_calls` and agent `steps` it made). Scoring
logged production traffic, outputs made by another system, and `evaltui rescore` (a stored run's
outputs under the suite's current scorers) all go through it, so they are scored exactly as
answers asked now would be."""

from __future__ import annotations

from evaltui.errors import ProviderError
from evaltui.providers.base import Completion, Request, ToolCall, check_size
from evaltui.suites.models import ModelSpec


class RecordedProvider:
    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec

    async def complete(self, request: Request) -> Completion:
        answer = request.recorded
        if answer is None:
            raise ProviderError(
                f"case {request.case_id!r} has no recorded output to give (no `output:` on the case; "
                "in a rescore: the run it rescores could not ask the model for one)",
                retryable=False,
            )
        text = str(answer["output"])
        check_size(text, self.spec.max_response_mb)
        return Completion(
            text=text,
            tokens_in=answer.get("tokens_in"),
            tokens_out=answer.get("tokens_out"),
            latency_ms=float(answer.get("latency_ms") or 0.0),
            cost_usd=answer.get("cost_usd"),
            model=answer.get("model"),
            tool_calls=tuple(
                ToolCall.from_value(str(c.get("id") or f"call_{i}"), str(c.get("name")), c.get("arguments"))
                if "raw_arguments" not in c
                else ToolCall.from_dict(c)
                for i, c in enumerate(answer.get("tool_calls") or ())
            ),
            steps=tuple(answer.get("steps") or ()),
        )

    async def aclose(self) -> None:
        return None
