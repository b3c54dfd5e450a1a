"""The agent loop of a suite with `max_steps > 1`: ask, run the tools the model called from the
case's canned `tool_results`, give the answer and the results back, ask again, until the model
answers without calling a tool or `max_steps` turns were taken.

Each turn goes through the runner's own ask (`Ask`: cache, retries, rate limits and price apply
per step) and is kept as a step: the answer's text, its tool calls, the results fed back, tokens,
latency, cost, attempts, whether it came from the cache. A step's request is the case's prompt
followed by every earlier step's answer and results, so steps do not repeat it. The case's
completion adds up the steps: tokens, latency and cost summed (a cost is unknown when any step's
is; tokens and cost of the fresh steps only when some came from the cache), every tool call in the
order made, the last step's text.

A call to a tool the case has no canned result for (or none whose `when` fits the arguments) ends
the case as an error naming the tool: the suite, not the model, is incomplete.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from evaltui.engine.ask import Asked, AskFailed
from evaltui.providers.base import Completion, Request, ToolCall
from evaltui.suites.tools import NO_MATCH, canned_result

Ask = Callable[[Request], Awaitable[Asked]]  # Asker.ask for one model and epoch; raises AskFailed


@dataclass(slots=True)
class Trajectory:
    steps: list[dict[str, Any]] = field(default_factory=list)
    completion: Completion | None = None  # the steps added up; None when no step was answered
    attempts: int = 0
    cached: bool = True  # every step answered from the cache
    error: str | None = None  # the case could not be carried on (a model error, a missing result)
    finished: bool = False  # the last step answered without calling a tool

    def asked(self) -> Asked | None:
        """The steps added up as one answer (None when no step was answered)."""
        if self.completion is None:
            return None
        return Asked(self.completion, self.attempts, self.cached)


def limit_reason(steps: list[dict[str, Any]], max_steps: int) -> str:
    """Why a trajectory that ended still calling tools fails."""
    calls = steps[-1]["tool_calls"] if steps else []
    names = ", ".join(dict.fromkeys(str(call.get("name")) for call in calls))
    return f"max_steps ({max_steps}) reached: the model was still calling tools ({names})"


async def run_agent(ask: Ask, first: Request, tool_results: dict[str, Any], max_steps: int) -> Trajectory:
    trajectory = Trajectory()
    messages = list(first.messages)
    answered: list[Completion] = []
    for index in range(max_steps):
        try:
            asked = await ask(dataclasses.replace(first, messages=list(messages)))
        except AskFailed as exc:
            trajectory.attempts += exc.attempts
            trajectory.cached = False
            trajectory.error = exc.message if not index else f"step {index + 1}: {exc.message}"
            break
        trajectory.attempts += asked.attempts
        trajectory.cached = trajectory.cached and asked.cached
        completion = asked.completion
        answered.append(completion)
        step = _step(index, completion, asked)
        trajectory.steps.append(step)
        if not completion.tool_calls:
            trajectory.finished = True
            break
        if index + 1 == max_steps:
            break
        results, error = _run_tools(completion.tool_calls, tool_results)
        step["tool_results"] = results
        if error is not None:
            trajectory.error = error
            break
        messages.append(
            {
                "role": "assistant",
                "content": completion.text,
                "tool_calls": [c.as_dict() for c in completion.tool_calls],
            }
        )
        messages.extend({"role": "tool", **result} for result in results)
    hits = [bool(step["cached"]) for step in trajectory.steps]
    trajectory.completion = _added_up(answered, hits) if answered else None
    return trajectory


def _step(index: int, completion: Completion, asked: Asked) -> dict[str, Any]:
    return {
        "index": index,
        "text": completion.text,
        "tool_calls": [call.as_dict() for call in completion.tool_calls],
        "tool_results": [],
        "tokens_in": completion.tokens_in,
        "tokens_out": completion.tokens_out,
        "latency_ms": completion.latency_ms,
        "cost_usd": completion.cost_usd,
        "attempts": asked.attempts,
        "cached": asked.cached,
    }


def _run_tools(
    calls: tuple[ToolCall, ...], tool_results: dict[str, Any]
) -> tuple[list[dict[str, Any]], str | None]:
    """The canned result of each call, or the error that stops the case."""
    results: list[dict[str, Any]] = []
    for call in calls:
        if call.name not in tool_results:
            return results, (
                f"the model called the tool {call.name!r}, which has no canned result in this case's "
                "tool_results"
            )
        content = canned_result(tool_results[call.name], call.arguments)
        if content is NO_MATCH:
            shown = call.raw_arguments if len(call.raw_arguments) <= 200 else call.raw_arguments[:199] + "…"
            return results, (
                f"the model called the tool {call.name!r} with {shown}, which no `when` entry of its "
                "tool_results matches"
            )
        results.append({"tool_call_id": call.id, "name": call.name, "content": content})
    return results, None


def _added_up(answered: list[Completion], cached: list[bool]) -> Completion:
    """The case's answer. Tokens and cost are what the steps spent: a trajectory only partly
    answered from the cache counts its fresh steps alone (a wholly cached one keeps every step's,
    and is counted as cached: it spends nothing). Latency is the whole trajectory's."""
    last = answered[-1]
    paid = answered if all(cached) else [c for c, hit in zip(answered, cached, strict=True) if not hit]
    costs = [c.cost_usd for c in paid if c.cost_usd is not None]
    return Completion(
        text=last.text,
        tokens_in=_sum([c.tokens_in for c in paid]),
        tokens_out=_sum([c.tokens_out for c in paid]),
        latency_ms=sum(c.latency_ms for c in answered),
        cost_usd=sum(costs) if len(costs) == len(paid) else None,  # None when any price is unknown
        model=last.model,
        tool_calls=tuple(call for c in answered for call in c.tool_calls),
    )


def _sum(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None
