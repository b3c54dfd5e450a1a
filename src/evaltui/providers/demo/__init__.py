"""The built-in offline models (`provider: demo`): deterministic, no network, no key.

Each model is a pure function of the request: the same messages give the same text, token
counts and simulated latency on every run, so runs are reproducible and two runs compare
cleanly. They read the rendered prompt the way a real model would, so editing a suite's prompt
changes what they answer.

    demo:keyword   lexicons, regexes and templates: decent but imperfect
    demo:rules     a weaker, differently biased strategy (disagrees with keyword on real cases)
                   (offered tools, both act as a small trip assistant that calls them: agent.py)
    demo:echo      the last user message, unchanged
    demo:judge     an offline judge answering {"pass", "score", "reasoning"} as JSON
    demo:hostile   terminal-hostile output (markup, escapes, controls, a 5 MiB line)

`params.latency_ms` fixes the simulated latency (0 for tests); otherwise it is drawn per request
from a hash. Cost is unknown (None) unless the spec has a `price`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from evaltui.errors import ProviderError
from evaltui.providers.base import Completion, Provider, Request, ToolCall
from evaltui.providers.demo.agent import agent_turn
from evaltui.providers.demo.hostile import hostile_output
from evaltui.providers.demo.judge import judge_answer
from evaltui.providers.demo.reading import last_user_message, token_estimate
from evaltui.providers.demo.tasks import keyword_reply, rules_reply
from evaltui.suites.models import ModelSpec

Answer = Callable[[Request], str]


@dataclass(frozen=True, slots=True)
class DemoModel:
    answer: Answer
    latency_range_ms: tuple[int, int]
    agent_style: str | None = None  # how it calls tools when a request offers some (agent.py)


MODELS: dict[str, DemoModel] = {
    "keyword": DemoModel(lambda request: keyword_reply(request.messages), (8, 40), "keyword"),
    "rules": DemoModel(lambda request: rules_reply(request.messages), (3, 20), "rules"),
    "echo": DemoModel(lambda request: last_user_message(request.messages), (1, 5)),
    "judge": DemoModel(lambda request: judge_answer(request.messages, request.vars), (5, 25)),
    "hostile": DemoModel(
        lambda request: hostile_output(last_user_message(request.messages), request.case_id), (2, 10)
    ),
}


def demo_models() -> list[str]:
    return sorted(MODELS)


def request_digest(name: str, request: Request) -> int:
    body = json.dumps(
        [name, request.case_id, request.messages], ensure_ascii=False, sort_keys=True, default=str
    )
    return int.from_bytes(
        hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big"
    )


class DemoProvider:
    def __init__(self, spec: ModelSpec, model: DemoModel, fixed_latency_ms: float | None) -> None:
        self.spec = spec
        self._model = model
        self._fixed_latency_ms = fixed_latency_ms

    def latency_ms(self, request: Request) -> float:
        if self._fixed_latency_ms is not None:
            return self._fixed_latency_ms
        low, high = self._model.latency_range_ms
        return float(low + request_digest(self.spec.model, request) % (high - low + 1))

    async def complete(self, request: Request) -> Completion:
        calls: tuple[ToolCall, ...] = ()
        if request.tools and self._model.agent_style is not None:
            text, calls = agent_turn(request, self._model.agent_style)
        else:
            text = self._model.answer(request)
        latency = self.latency_ms(request)
        if latency > 0:
            await asyncio.sleep(latency / 1000)
        tokens_in = sum(token_estimate(message.get("content") or "") for message in request.messages)
        tokens_out = token_estimate(text) + sum(token_estimate(call.raw_arguments) for call in calls)
        cost = None
        if self.spec.price is not None:
            price = self.spec.price
            cost = (tokens_in * price.input_per_mtok + tokens_out * price.output_per_mtok) / 1_000_000
        return Completion(
            text=text,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            latency_ms=latency,
            cost_usd=cost,
            model=f"demo:{self.spec.model}",
            tool_calls=calls,
        )

    async def aclose(self) -> None:
        return None


def make_demo(spec: ModelSpec) -> Provider:
    """The demo model `spec.model` names; a ProviderError listing the known ones otherwise."""
    model = MODELS.get(spec.model)
    if model is None:
        known = ", ".join(f"demo:{name}" for name in demo_models())
        raise ProviderError(f"there is no demo model {spec.model!r}; the demo models are {known}")
    fixed = spec.params.get("latency_ms")
    if fixed is not None and (isinstance(fixed, bool) or not isinstance(fixed, int | float) or fixed < 0):
        raise ProviderError(f"demo:{spec.model}: params.latency_ms must be a number of milliseconds >= 0")
    return DemoProvider(spec, model, None if fixed is None else float(fixed))
