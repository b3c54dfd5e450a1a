"""Model-graded scorers: `llm-judge` (a rubric) and `factuality` (agreement with the expected answer).

Both ask a judge model through `ctx.judge`, which the engine provides (its concurrency, retries,
cache and cost accounting). The prompt asks for a JSON verdict
`{"pass": bool, "score": 0..1, "reasoning": "..."}`; the answer is parsed robustly and a judge that
answers junk gives a failing score that says so. The request's `vars` also carry the parts of the
question (kind, rubric, input, output, expected) so an offline demo judge can answer without
reading the prompt.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import Field, PrivateAttr, ValidationError, ValidationInfo, model_validator

from evaltui.errors import EvaltuiError, ScorerError
from evaltui.providers.base import Request
from evaltui.scorers.base import Score, ScoreContext
from evaltui.scorers.jsontext import Parsed, find_json
from evaltui.scorers.registry import OptionError, Options, compile_context, scorer, verdict
from evaltui.scorers.values import as_text
from evaltui.suites.models import ModelSpec

DEFAULT_JUDGE = "demo:judge"
REPLY_FORMAT = (
    'Reply with only a JSON object: {"pass": true or false, "score": a number from 0 to 1, '
    '"reasoning": "one or two sentences"}'
)

LLM_JUDGE_PROMPT = """You are grading an AI assistant's answer against a rubric.

Rubric:
{rubric}

The question or input:
{input}

The answer to grade:
{output}

{reply_format}"""

FACTUALITY_PROMPT = """You are comparing an AI assistant's answer with an expert answer, for facts only \
(ignore style, length and wording).

The question or input:
{input}

The expert answer:
{expected}

The answer to compare:
{output}

Choose one verdict: "agree" (same facts), "subset" (a consistent subset of the expert answer), \
"superset" (consistent, and adds more), "disagree" (contradicts it).
Reply with only a JSON object: {{"verdict": "agree" | "subset" | "superset" | "disagree", \
"reasoning": "one or two sentences"}}"""

Verdict = Literal["agree", "subset", "superset", "disagree"]
VERDICT_VALUES: dict[str, float] = {"agree": 1.0, "superset": 0.6, "subset": 0.4, "disagree": 0.0}


class JudgeOptions(Options):
    model: str | dict[str, Any] | None = None  # "provider:model" or a model mapping; default the suite's
    _spec: ModelSpec | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _resolve_model(self, info: ValidationInfo) -> JudgeOptions:
        default = compile_context(info.context).default_judge
        self._spec = model_spec(self.model) if self.model is not None or default is None else default
        return self


class LlmJudgeOptions(JudgeOptions):
    rubric: str = Field(min_length=1)
    threshold: float | None = Field(default=None, ge=0, le=1)  # else the judge's own pass


class FactualityOptions(JudgeOptions):
    accept: list[Verdict] = Field(default_factory=lambda: list[Verdict](["agree", "superset"]))


def model_spec(written: str | dict[str, Any] | None) -> ModelSpec:
    """A judge model written as "provider:model" (e.g. "openai:gpt-4o-mini") or as a mapping."""
    raw: Any = written or DEFAULT_JUDGE
    if isinstance(raw, str):
        provider, _, name = raw.partition(":")
        raw = {"provider": provider, "model": name}
    try:
        return ModelSpec.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise OptionError("model", f"bad judge model ({where}): {first['msg']}") from None


async def _ask(ctx: ScoreContext, spec: ModelSpec | None, prompt: str, facts: dict[str, Any]) -> str | Score:
    """The judge's reply text. A judge that could not be asked is a ScorerError (the case is an
    error): nothing was learnt about the answer."""
    if ctx.judge is None or spec is None:
        raise ScorerError("no judge available: this scorer needs the engine's judge")
    request = Request(messages=[{"role": "user", "content": prompt}], case_id=ctx.case.id, vars=facts)
    try:
        completion = await ctx.judge(spec, request)
    except EvaltuiError as exc:
        raise ScorerError(f"no verdict from the judge {spec.id}: {exc}") from None
    return completion.text


def parse_reply(text: str) -> dict[str, Any] | None:
    """The first JSON object in the judge's reply (whole, fenced or inside prose), else None."""
    found = find_json(text.strip())
    if isinstance(found, Parsed) and isinstance(found.value, dict):
        return found.value
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _junk(text: str) -> Score:
    shown = text.strip().replace("\n", " ")
    return verdict(False, f"the judge did not answer with a JSON verdict: {shown[:200]!r}")


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    if 1 < value <= 10:  # a judge that grades out of ten despite being asked
        value /= 10
    return min(1.0, max(0.0, value))


def _flag(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in {"true", "yes", "pass", "passed"}:
        return True
    if isinstance(raw, str) and raw.strip().lower() in {"false", "no", "fail", "failed"}:
        return False
    return None


def _facts(ctx: ScoreContext, kind: str, **more: Any) -> dict[str, Any]:
    return {"kind": kind, "input": ctx.case.input, "output": ctx.output, "expected": ctx.expected, **more}


@scorer("llm-judge", options=LlmJudgeOptions)
async def llm_judge(ctx: ScoreContext, opts: LlmJudgeOptions) -> Score:
    prompt = LLM_JUDGE_PROMPT.format(
        rubric=opts.rubric, input=as_text(ctx.case.input), output=ctx.output, reply_format=REPLY_FORMAT
    )
    reply = await _ask(ctx, opts._spec, prompt, _facts(ctx, "llm-judge", rubric=opts.rubric))
    if isinstance(reply, Score):
        return reply
    data = parse_reply(reply)
    if data is None:
        return _junk(reply)
    said_pass, value = _flag(data.get("pass", data.get("passed"))), _number(data.get("score"))
    if said_pass is None and value is None:
        return _junk(reply)
    value = value if value is not None else (1.0 if said_pass else 0.0)
    if opts.threshold is not None:
        passed = value >= opts.threshold
    else:
        passed = said_pass if said_pass is not None else value >= 0.5
    reasoning = str(data.get("reasoning") or data.get("reason") or "no reasoning given")
    return verdict(passed, f"judge {'passed' if passed else 'failed'} it ({value:.2f}): {reasoning}", value)


@scorer("factuality", options=FactualityOptions)
async def factuality(ctx: ScoreContext, opts: FactualityOptions) -> Score:
    if ctx.expected is None:
        return verdict(False, "factuality needs the case's `expected` answer")
    prompt = FACTUALITY_PROMPT.format(
        input=as_text(ctx.case.input), expected=as_text(ctx.expected), output=ctx.output
    )
    reply = await _ask(ctx, opts._spec, prompt, _facts(ctx, "factuality"))
    if isinstance(reply, Score):
        return reply
    data = parse_reply(reply)
    said = str(data.get("verdict", "")).strip().lower() if data else ""
    if said not in VERDICT_VALUES:
        return _junk(reply)
    reasoning = str(data.get("reasoning") or "no reasoning given") if data else ""
    return verdict(said in opts.accept, f"judge says {said}: {reasoning}", VERDICT_VALUES[said])
