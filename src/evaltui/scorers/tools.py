"""Tool-use scorers: did the model call the right tool, with the right arguments, in the right
order, within the step limit. They read every call of the case (`ScoreContext.tool_calls`, across
all steps of an agent loop) and say in the reason what was called instead when they fail.

    tool-call       a call to `tool` (written `name:` in a suite), at `position` any|first|last|N
                    (N counts from 0, as `tool_call[N]` does), its arguments matching `arguments`
                    (a subset by default; `match: exact`) and/or `arguments_schema`; `count: N` or
                    `count: {min, max}` bounds how many such calls there are (default: at least one)
    no-tool-call    no call at all (or none to `tool`)
    tool-sequence   the calls' names follow `tools` in order: as a subsequence, or exactly (`strict`)
    max-steps       the model answered within `max` steps (default: the suite's max_steps)
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from evaltui.providers.base import ToolCall
from evaltui.scorers.base import Score, ScoreContext
from evaltui.scorers.registry import OptionError, Options, scorer, verdict
from evaltui.scorers.values import quote

SHOWN_CALLS = 5  # calls listed in a reason before "and N more"


class CountBounds(Options):
    min: int = Field(default=0, ge=0)
    max: int | None = Field(default=None, ge=0)


class ToolCallOptions(Options):
    tool: str | None = None  # None: any tool
    position: Literal["any", "first", "last"] | int = "any"
    arguments: dict[str, Any] | None = None
    match: Literal["subset", "exact"] = "subset"
    arguments_schema: dict[str, Any] | None = None
    count: int | CountBounds | None = None
    _validator: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _build(self) -> ToolCallOptions:
        if isinstance(self.count, int) and self.count < 0:
            raise OptionError("count", "count is a number of calls (0 or more) or {min, max}")
        if self.arguments_schema is not None:
            import jsonschema  # here, not at the top: it takes longer to import than a command's start

            cls = jsonschema.validators.validator_for(self.arguments_schema)
            try:
                cls.check_schema(self.arguments_schema)
            except jsonschema.SchemaError as exc:
                raise OptionError("arguments_schema", f"not a valid JSON schema: {exc.message}") from None
            self._validator = cls(self.arguments_schema)
        return self

    def bounds(self) -> tuple[int, int | None]:
        if self.count is None:
            return 1, None
        if isinstance(self.count, int):
            return self.count, self.count
        return self.count.min, self.count.max


@scorer("tool-call", options=ToolCallOptions)
def tool_call(ctx: ScoreContext, opts: ToolCallOptions) -> Score:
    calls = ctx.tool_calls
    wanted = opts.tool or "a tool"
    low, high = opts.bounds()
    placed = _at_position(calls, opts.position) or []
    named = [c for c in placed if opts.tool is None or c.name == opts.tool]
    problems = [_mismatch(call, opts) for call in named]
    matching = [call for call, problem in zip(named, problems, strict=True) if problem is None]
    if low <= len(matching) and (high is None or len(matching) <= high):
        if not matching:
            return verdict(True, f"no matching call to {wanted}, as `count` allows; {_called(calls)}")
        more = f" ({len(matching)} matching calls)" if len(matching) > 1 else ""
        return verdict(True, f"called {_show(matching[0])}{more}")
    where = "" if opts.position == "any" else f" at position {opts.position}"
    if not named:
        return verdict(False, f"no call to {wanted}{where}; {_called(calls)}")
    if not matching:
        return verdict(False, f"{wanted} was called{where}, but {next(p for p in problems if p)}")
    expected = str(low) if low == high else f"{low} to {high if high is not None else 'any number'}"
    return verdict(False, f"{len(matching)} matching call(s) to {wanted}, expected {expected}")


def _at_position(calls: tuple[ToolCall, ...], position: str | int) -> list[ToolCall] | None:
    if position == "any":
        return list(calls)
    if not calls:
        return None
    if position == "first":
        return [calls[0]]
    if position == "last":
        return [calls[-1]]
    assert isinstance(position, int)
    return [calls[position]] if -len(calls) <= position < len(calls) else None


def _mismatch(call: ToolCall, opts: ToolCallOptions) -> str | None:
    """Why this call's arguments do not match, or None when they do."""
    if call.malformed:
        return f"its arguments are not valid JSON: {quote(call.raw_arguments)}"
    if opts.arguments is not None:
        if opts.match == "exact" and call.arguments != opts.arguments:
            return f"with {_args(call.arguments)}, expected exactly {_args(opts.arguments)}"
        if opts.match == "subset" and not contains(call.arguments, opts.arguments):
            return f"with {_args(call.arguments)}, expected {_args(opts.arguments)} among them"
    if opts._validator is not None:
        from jsonschema.exceptions import best_match

        error = best_match(opts._validator.iter_errors(call.arguments))
        if error is not None:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            return f"its arguments break the schema at ${where}: {error.message}"
    return None


def contains(actual: Any, wanted: Any) -> bool:
    """`wanted` is a subset of `actual`: every key of a mapping (at any depth) with a value that
    matches; lists and other values must be equal."""
    if isinstance(wanted, dict):
        return isinstance(actual, dict) and all(
            k in actual and contains(actual[k], v) for k, v in wanted.items()
        )
    return bool(actual == wanted)


class NoToolCallOptions(Options):
    tool: str | None = None  # None: no call at all


@scorer("no-tool-call", options=NoToolCallOptions)
def no_tool_call(ctx: ScoreContext, opts: NoToolCallOptions) -> Score:
    calls = [c for c in ctx.tool_calls if opts.tool is None or c.name == opts.tool]
    if not calls:
        return verdict(True, f"no call to {opts.tool}" if opts.tool else "no tool was called")
    return verdict(False, _called(tuple(calls)))


class SequenceOptions(Options):
    tools: list[str] = Field(min_length=1)
    strict: bool = False


@scorer("tool-sequence", options=SequenceOptions)
def tool_sequence(ctx: ScoreContext, opts: SequenceOptions) -> Score:
    names = [c.name for c in ctx.tool_calls]
    wanted = " → ".join(opts.tools)
    made = " → ".join(names) or "no calls"
    if opts.strict:
        ok = names == opts.tools
    else:
        remaining = iter(names)
        ok = all(any(name == want for name in remaining) for want in opts.tools)
    if ok:
        return verdict(True, f"calls in order: {made}")
    return verdict(False, f"expected {'exactly ' if opts.strict else ''}{wanted}; made {made}")


class StepsOptions(Options):
    max: int | None = Field(default=None, ge=1)


@scorer("max-steps", options=StepsOptions)
def max_steps(ctx: ScoreContext, opts: StepsOptions) -> Score:
    limit = opts.max if opts.max is not None else ctx.max_steps
    if not ctx.finished:
        return verdict(False, f"still calling tools after {ctx.steps} step(s) (max_steps {ctx.max_steps})")
    if ctx.steps <= limit:
        return verdict(True, f"answered in {ctx.steps} step(s), max {limit}")
    return verdict(False, f"took {ctx.steps} steps, more than {limit}")


def _called(calls: tuple[ToolCall, ...]) -> str:
    if not calls:
        return "no tool was called"
    shown = ", ".join(_show(c) for c in calls[:SHOWN_CALLS])
    more = f" and {len(calls) - SHOWN_CALLS} more" if len(calls) > SHOWN_CALLS else ""
    return f"called {shown}{more}"


def _show(call: ToolCall) -> str:
    if call.malformed:
        return f"{call.name}(<not JSON: {quote(call.raw_arguments, 40)}>)"
    return f"{call.name}({_args(call.arguments)})"


def _args(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "…"
