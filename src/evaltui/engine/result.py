"""One case of a run, from its rendered prompt to its `Result`: ask the model (engine/ask.py),
score the answer, and build the record the store's writer keeps, the run's metrics fold and its
events report.

`error` means the model could not be asked (or a scorer could not judge, or an agent called a tool
its case has no canned result for); `fail` means it answered and a scorer said no, or an agent loop
reached max_steps still calling tools. With `max_steps > 1` the answer is the agent loop's
(engine/agent.py) and the result keeps its steps; every result keeps the tool calls made. A judge's
calls are asked through the same `Asker` and their tokens and cost kept on the result's `judge`,
apart from the model's own.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import TYPE_CHECKING, Any

from evaltui.engine.ask import Asked, Asker, AskFailed
from evaltui.engine.prepare import PreparedCase, PreparedSuite
from evaltui.errors import ProviderError, ScorerError
from evaltui.providers.base import Completion, Request
from evaltui.recordclass import quick, record
from evaltui.records import JudgeUsage, Result, ResultStatus
from evaltui.scorers import combine
from evaltui.scorers.base import Score, ScoreContext
from evaltui.suites.models import ModelSpec

if TYPE_CHECKING:
    from evaltui.engine.agent import Trajectory

# Request(...), ScoreContext(...), Result(...): each made for every case of a run
_new_request, _new_score_context, _new_result = quick(Request), quick(ScoreContext), quick(Result)


@record(frozen=True, slots=True)
class CaseRun:
    """What every case of one run shares."""

    run_id: str
    model: ModelSpec
    prepared: PreparedSuite
    asker: Asker
    secrets: tuple[str, ...]  # redacted from scorer errors
    # the suite's tools as every request sends them, built once a run: shared by the run's
    # requests, which read it and never change it
    tools: list[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tools", [tool.as_request() for tool in self.prepared.suite.tools])


class JudgeTally:
    """What a case's judge scorers ask through (`ScoreContext.judge`): a judge call goes through the
    run's `Asker`, and its tokens and cost are tallied for the case as they are asked. One object a
    case, itself the callable (no closure made for each case)."""

    __slots__ = ("asker", "calls", "cost_usd", "tokens_in", "tokens_out")

    def __init__(self, asker: Asker) -> None:
        self.asker = asker
        self.tokens_in = 0
        self.tokens_out = 0
        self.cost_usd: float | None = None
        self.calls = 0

    async def __call__(self, spec: ModelSpec, request: Request) -> Completion:
        try:
            asked = await self.asker.ask(spec, request)
        except AskFailed as exc:
            raise ProviderError(f"judge {spec.id} could not be asked: {exc.message}") from exc
        self.add(asked.completion)
        return asked.completion

    def add(self, completion: Completion) -> None:
        self.calls += 1
        self.tokens_in += completion.tokens_in or 0
        self.tokens_out += completion.tokens_out or 0
        if completion.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + completion.cost_usd

    def usage(self) -> JudgeUsage | None:
        """What the result keeps: None when no judge was asked."""
        if not self.calls:
            return None
        return JudgeUsage(self.calls, self.tokens_in, self.tokens_out, self.cost_usd)


NO_SCORER = "no scorer judges this case: add `scorers:` to the suite (e.g. [equals]) or to the case"


async def case_result(run: CaseRun, pc: PreparedCase, epoch: int) -> Result:
    """The case's result. Raises RunStopped when the run must stop (nothing to record)."""
    case, suite = pc.case, run.prepared.suite
    request = _new_request(
        messages=pc.messages,
        params=run.model.params,
        case_id=case.id,
        vars={"input": case.input, "expected": case.expected, "tags": case.tags, **case.vars},
        tools=run.tools,
        response_format=suite.response_format,
        recorded=case.recorded.model_dump() if case.recorded is not None else None,
    )
    trajectory: Trajectory | None = None
    if suite.max_steps > 1 and run.model.provider != "recorded":
        answered = await _agent_answer(run, pc, request, epoch)
        if isinstance(answered, Result):  # the model could not be asked, or the loop could not go on
            return answered
        asked, trajectory = answered
    else:  # asked here, not in a coroutine of its own: one frame less on every resume of the case
        try:
            asked = await run.asker.ask(run.model, request, epoch=epoch)
        except AskFailed as exc:
            return result_of(run.run_id, pc, epoch, None, attempts=exc.attempts, error=exc.message)
    completion = asked.completion
    steps = trajectory.steps if trajectory else list(completion.steps)
    # An answer with steps (an agent's, or a recorded one) finished when its last step called no tool.
    finished = trajectory.finished if trajectory else not (steps and steps[-1].get("tool_calls"))
    usage = JudgeTally(run.asker)
    ctx = _new_score_context(
        output=completion.text,
        expected=case.expected,
        case=case,
        completion=completion,
        prompt=pc.messages,
        suite_dir=run.prepared.suite_dir,
        judge=usage,
        secrets=run.secrets,
        tool_calls=completion.tool_calls,
        steps=len(steps) or 1,
        max_steps=suite.max_steps,
        finished=finished,
    )
    if not pc.scorers:  # nothing judged the answer: no verdict to give, so never a pass
        return result_of(run.run_id, pc, epoch, asked, error=NO_SCORER, steps=steps)
    scores: list[Score] = []
    try:
        for scorer in pc.scorers:  # a loop, not an async comprehension: no coroutine of its own
            scores.append(await scorer(ctx))
    except ScorerError as exc:  # nothing was learnt about the answer: an error, not a fail
        return result_of(run.run_id, pc, epoch, asked, error=str(exc), steps=steps)
    passed, value = combine(scores, suite.pass_threshold)
    if suite.max_steps > 1 and not finished:  # the loop was cut off: never a pass
        from evaltui.engine.agent import limit_reason  # an agent's suite only

        scores.append(Score("max_steps", False, 0.0, limit_reason(steps, suite.max_steps)))
        passed = False
    return result_of(
        run.run_id,
        pc,
        epoch,
        asked,
        status="pass" if passed else "fail",
        scores=tuple(scores),
        value=value,
        steps=steps,
        judge=usage.usage(),
    )


async def _agent_answer(
    run: CaseRun, pc: PreparedCase, request: Request, epoch: int
) -> tuple[Asked, Trajectory] | Result:
    """The model's answer through the agent loop (engine/agent.py), each step asked through the
    Asker; else the error result. (A suite without steps, or a recorded answer, a rescore scored
    with the steps it holds and never played again, is asked once by `case_result`.)"""
    from evaltui.engine.agent import run_agent  # an agent's suite only (not loaded for the others)

    suite = run.prepared.suite
    trajectory = await run_agent(
        lambda step: run.asker.ask(run.model, step, epoch=epoch),
        request,
        pc.case.tool_results,
        suite.max_steps,
    )
    asked = trajectory.asked()
    if asked is None or trajectory.error is not None:
        return result_of(
            run.run_id,
            pc,
            epoch,
            asked,
            attempts=trajectory.attempts,
            error=trajectory.error,
            steps=trajectory.steps,
        )
    return asked, trajectory


def result_of(
    run_id: str,
    pc: PreparedCase,
    epoch: int,
    asked: Asked | None,
    *,
    status: ResultStatus = "error",
    scores: tuple[Score, ...] = (),
    value: float = 0.0,
    attempts: int = 0,
    error: str | None = None,
    steps: Sequence[Mapping[str, Any]] = (),
    judge: JudgeUsage | None = None,
) -> Result:
    """The case's result, built once: an `error` unless a scorer said pass or fail. `tags` and
    `cluster` are the case's (not stored with the result: the case row holds them), for the run's
    metrics as it goes."""
    case, completion = pc.case, asked.completion if asked else None
    calls = completion.tool_calls if completion else ()
    return _new_result(
        run_id,
        case.id,
        epoch=epoch,
        status=status,
        output=completion.text if completion else None,
        prompt=tuple(pc.messages),
        scores=scores,
        value=value,
        latency_ms=completion.latency_ms if completion else None,
        tokens_in=completion.tokens_in if completion else None,
        tokens_out=completion.tokens_out if completion else None,
        cost_usd=completion.cost_usd if completion else None,
        attempts=asked.attempts if asked else attempts,
        cached=asked.cached if asked else False,
        error=error,
        finished_at=time.time(),
        judge=judge,
        tool_calls=tuple([call.as_dict() for call in calls]) if calls else (),
        steps=tuple(steps),
        tags=tuple(case.tags),
        cluster=case.cluster,
    )
