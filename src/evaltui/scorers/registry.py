"""The scorer registry: names to functions, and the step that turns a `ScorerSpec` as written into a
`CompiledScorer` ready to run.

Compiling is where every option is checked (by the scorer's own pydantic options model, extra keys
forbidden) and every expensive or fallible thing is done once: regexes compiled, schema files
read, python functions imported. So a suite with a typo fails before any model is asked, with the
file, the line and the field.
"""

from __future__ import annotations

import importlib
import inspect
import math
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from evaltui.errors import ScorerError, SuiteError
from evaltui.providers.faults import redact
from evaltui.recordclass import quick, record
from evaltui.scorers.base import Score, ScoreContext
from evaltui.suites.models import ModelSpec, ScorerSpec
from evaltui.suites.plugins_off import plugins_off

ScorerFn = Callable[[ScoreContext, Any], "Score | Awaitable[Score]"]
F = TypeVar("F", bound=ScorerFn)


class Options(BaseModel):
    """Base of every scorer's options: unknown keys are errors, not silently ignored. Each
    model's validator is built the first time a suite uses its scorer (`defer_build`), not when
    evaltui starts: most runs use two or three of the twenty-odd scorers."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class OptionError(ValueError):
    """Raised inside an options validator to blame one option (pydantic's after-validators
    otherwise report the error against the whole object)."""

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        super().__init__(message)


@record(frozen=True, slots=True)
class CompileContext:
    """What an options validator may need: found in `info.context["compile"]`."""

    suite_dir: str
    default_judge: ModelSpec | None = None


@record(frozen=True, slots=True)
class _Entry:
    name: str
    fn: ScorerFn
    options: type[Options]


_REGISTRY: dict[str, _Entry] = {}

# Which module of evaltui.scorers registers each built-in scorer: a module is imported the first
# time a suite names one of its scorers, so a run of `equals` never loads the sandbox, the judges or
# the `regex` engine. tests/scorers/test_registry.py checks this table against what each registers.
FAMILIES: dict[str, str] = {
    **dict.fromkeys(
        (
            "equals", "contains", "icontains", "not-contains", "contains-all", "contains-any",
            "one-of", "starts-with", "levenshtein", "similarity",
        ),
        "text",
    ),
    **dict.fromkeys(("json-valid", "json-schema", "json-path"), "structured"),
    **dict.fromkeys(("latency", "cost", "tokens"), "operational"),
    **dict.fromkeys(("llm-judge", "factuality"), "judge"),
    **dict.fromkeys(("tool-call", "no-tool-call", "tool-sequence", "max-steps"), "tools"),
    "regex": "pattern",
    "numeric": "numeric",
    "python": "custom",
    "code-exec": "code_exec",
}  # fmt: skip


def scorer(name: str, *, options: type[Options] = Options) -> Callable[[F], F]:
    """Register `fn(ctx, opts) -> Score` (sync or async) under `name`."""

    def register(fn: F) -> F:
        if name in _REGISTRY:
            raise ValueError(f"scorer {name!r} is registered twice")
        _REGISTRY[name] = _Entry(name, fn, options)
        return fn

    return register


def known_scorers() -> list[str]:
    return sorted(FAMILIES.keys() | _REGISTRY.keys())


def _entry(name: str) -> _Entry | None:
    """The registered scorer `name`, its module imported on first use."""
    entry = _REGISTRY.get(name)
    if entry is None and name in FAMILIES:
        importlib.import_module(f"evaltui.scorers.{FAMILIES[name]}")
        entry = _REGISTRY.get(name)
    return entry


def verdict(passed: bool, reason: str, value: float | None = None) -> Score:
    """A scorer's answer; the compiled scorer fills in the label and the weight."""
    if value is None:
        value = 1.0 if passed else 0.0
    return _new_score(name="", passed=passed, value=value, reason=reason)


_new_score = quick(Score)  # Score(...), made for every scorer of every case


def compile_context(info_context: dict[str, Any] | None) -> CompileContext:
    found = (info_context or {}).get("compile")
    return found if isinstance(found, CompileContext) else CompileContext(suite_dir=".")


@record(frozen=True, slots=True)
class CompiledScorer:
    """A scorer ready to run: `await compiled(ctx) -> Score`. A scorer that could not judge
    (it raised, even SystemExit; its sandbox is missing; user code hung) raises ScorerError with
    the reason, redacted of the context's secrets: the engine makes the case an `error`, since
    nothing was learnt about the model's answer."""

    label: str
    type: str
    weight: float
    negate: bool
    options: Options
    fn: ScorerFn

    async def __call__(self, ctx: ScoreContext) -> Score:
        try:
            result = self.fn(ctx, self.options)
            if type(result) is not Score and inspect.isawaitable(result):  # most scorers are not async
                result = await result
        except ScorerError as exc:
            raise ScorerError(redact(f"{self.label}: {exc}", ctx.secrets)) from None
        except (Exception, SystemExit) as exc:  # a scorer bug or odd output must not crash the run
            message = f"{self.label}: the scorer raised {type(exc).__name__}: {exc}"
            raise ScorerError(redact(message, ctx.secrets)) from None
        value = _clamp(result.value)
        if not self.negate:
            return self._score(result.passed, value, result.reason)
        passed = not result.passed
        reason = f"negated, so {'passes' if passed else 'fails'}: {result.reason}"
        return self._score(passed, 1.0 - value, reason)

    def _score(self, passed: bool, value: float, reason: str) -> Score:
        return _new_score(name=self.label, passed=passed, value=value, reason=reason, weight=self.weight)


def _clamp(value: float) -> float:
    if type(value) is float and 0.0 <= value <= 1.0:  # nearly every value (NaN is not)
        return value
    if not isinstance(value, int | float) or math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, float(value)))


def compile_scorer(
    spec: ScorerSpec,
    *,
    suite_dir: str,
    field_prefix: str | None = None,
    default_judge: ModelSpec | None = None,
) -> CompiledScorer:
    """Check `spec`'s options and precompile them. `field_prefix` names the scorer in errors
    (e.g. "scorers[2]" or "cases[4].scorers[0]"; default: the field its location records);
    `default_judge` is the suite's judge model, used by model-graded scorers that name none."""
    file = spec.loc.file if spec.loc else None
    line = spec.loc.line if spec.loc else None
    if field_prefix is None:
        field_prefix = (spec.loc.field if spec.loc else None) or "scorers"
    entry = _entry(spec.type)
    if entry is None:
        known = ", ".join(known_scorers())
        message = f"unknown scorer {spec.type!r}; known scorers: {known}"
        raise SuiteError(message, file=file, line=line, field=f"{field_prefix}.type")
    context = {"compile": CompileContext(suite_dir=suite_dir, default_judge=default_judge)}
    try:
        options = _built(entry.options).model_validate(spec.options(), context=context)
    except ValidationError as exc:
        option, message = _describe(exc, entry)
        field = f"{field_prefix}.{option}" if option else field_prefix
        raise SuiteError(message, file=file, line=line, field=field) from None
    return CompiledScorer(
        label=spec.label, type=spec.type, weight=spec.weight, negate=spec.negate, options=options, fn=entry.fn
    )


def _built(model: type[Options]) -> type[Options]:
    """`model` with its validator built, the first time, without pydantic's plugins
    (suites/plugins_off.py); validating comes after, outside: it may import a user's module."""
    with plugins_off():
        model.model_rebuild()
    return model


def _describe(exc: ValidationError, entry: _Entry) -> tuple[str, str]:
    """The first error as (option path, message a user can act on)."""
    error = exc.errors(include_url=False)[0]
    option = ".".join(str(part) for part in error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, OptionError):
        return cause.option, str(cause)
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(sorted(_option_names(entry.options))) or "none"
        return option, f"unknown option {option!r} for scorer {entry.name!r}; its options are: {allowed}"
    if error["type"] == "missing":
        return option, f"scorer {entry.name!r} needs the option {option!r}"
    message = error["msg"].removeprefix("Value error, ")
    return option, f"bad option for scorer {entry.name!r}: {message}"


def _option_names(model: type[Options]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]
