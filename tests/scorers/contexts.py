"""Building scorers the way a suite writes them, and the context the engine hands them."""

from __future__ import annotations

from typing import Any

from evaltui.providers.base import Completion, ToolCall
from evaltui.scorers import Score, ScoreContext, compile_scorer
from evaltui.scorers.base import Judge
from evaltui.suites.models import Case, Location, ScorerSpec


def make_ctx(
    output: str,
    expected: Any = None,
    *,
    vars: dict[str, Any] | None = None,
    case_input: Any = "the input",
    completion: Completion | None = None,
    judge: Judge | None = None,
    suite_dir: str = ".",
    secrets: tuple[str, ...] = (),
    tool_calls: tuple[ToolCall, ...] = (),
    steps: int = 1,
    max_steps: int = 1,
    finished: bool = True,
) -> ScoreContext:
    case = Case(id="c1", input=case_input, expected=expected, vars=vars or {})
    return ScoreContext(
        output=output,
        expected=expected,
        case=case,
        completion=completion,
        prompt=[{"role": "user", "content": str(case_input)}],
        suite_dir=suite_dir,
        judge=judge,
        secrets=secrets,
        tool_calls=tool_calls,
        steps=steps,
        max_steps=max_steps,
        finished=finished,
    )


def spec(written: dict[str, Any], line: int = 7) -> ScorerSpec:
    return ScorerSpec.model_validate(
        {**written, "loc": Location(file="suite.yaml", line=line, field="scorers[0]")}
    )


async def score(written: dict[str, Any], output: str, expected: Any = None, **ctx: Any) -> Score:
    suite_dir = str(ctx.get("suite_dir", "."))
    compiled = compile_scorer(spec(written), suite_dir=suite_dir)
    return await compiled(make_ctx(output, expected, **ctx))
