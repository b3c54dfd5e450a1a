"""The records every layer passes: a run, its metrics, a result and its scores.

Frozen dataclasses, made once where the data enters (the store reading a row, the metrics folding
results) and trusted everywhere above: the engine, reports, CLI and TUI read attributes, never
`dict[str, Any]`. This module sits at the bottom of the house (standard library only), so every
layer may import it; `analysis/` computes `RunMetrics`, `store/` reads all of them back.

JSON the CLI prints (`show --json`, `compare --json`, exports) comes from `as_dict()`, which gives
the same keys in the same order as the stored row, so the output a script reads does not change.

A record built for every case of a run (its `Result`, and in the layers above the request, the
answer, the scores) is made through `quick(Class)`, which gives the same frozen record without
the cost of a frozen dataclass's `__init__`. The classes themselves are made by `record`, which
gives the same frozen dataclass as `dataclass(frozen=True, ...)` with less of the start-up's time.
"""

from __future__ import annotations

import inspect
import math
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, MISSING, Field, FrozenInstanceError, asdict, dataclass, field, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

if TYPE_CHECKING:  # what mypy checks a record against: the dataclass it is
    from dataclasses import dataclass as record
else:

    def record(cls: Any = None, /, **options: Any) -> Any:
        """`dataclass(cls, frozen=True, **options)`: the same frozen dataclass (fields, `__init__`,
        `replace`, `asdict`, pickling, `__dataclass_params__`), compared, hashed and shown as
        `dataclass` would: `==` by the fields' values between instances of one class, the hash of
        those values, the `Class(field=value, ...)` repr. `dataclass` writes `__init__`,
        `__setattr__` and `__delattr__` (and `__eq__`, `__hash__`, `__repr__`) as source text for
        each class and compiles them, at import, which is most of what a class costs a start-up:
        here the others are functions made in Python, and `__init__` is written and compiled the
        first time the class makes an instance (most records a run imports, it never makes)."""
        if cls is None:
            return lambda cls: record(cls, **options)
        if not options.get("frozen") or {"eq", "repr", "order", "unsafe_hash", "init"} & options.keys():
            raise TypeError("record() makes frozen dataclasses, compared and shown as dataclass() does")
        defined = {"__eq__", "__hash__", "__repr__", "__init__", "__setattr__", "__delattr__"}
        defined &= cls.__dict__.keys()
        if defined:
            raise TypeError(f"{cls.__name__} defines {', '.join(sorted(defined))}: use dataclass()")
        undocumented = not cls.__doc__
        if undocumented:  # else dataclass writes one from the signature, which would write __init__
            cls.__doc__ = cls.__name__
        # dataclass looks for ClassVar, InitVar and KW_ONLY in each annotation written as text (all of
        # them, under `from __future__ import annotations`) by matching and resolving the text:
        # annotations that cannot be one of those are shown to it as a plain type meanwhile.
        written = inspect.get_annotations(cls)
        plain = {name: text for name, text in written.items() if isinstance(text, str) and _plain(text)}
        cls.__annotations__ = {**written, **dict.fromkeys(plain, object)}
        made = dataclass(cls, init=False, eq=False, repr=False, **{**options, "frozen": False})
        made.__annotations__ = written
        for f in made.__dataclass_fields__.values():
            f.type = plain.get(f.name, f.type)
        made_fields = fields(made)
        _check_fields(made, made_fields)
        params = made.__dataclass_params__  # what dataclass(frozen=True) says of the class it makes
        params.init = params.repr = params.eq = params.frozen = True
        compared = _values([f.name for f in made_fields if f.compare])
        hashed = _values([f.name for f in made_fields if (f.compare if f.hash is None else f.hash)])
        shown = [f.name for f in made_fields if f.repr]

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return compared(self) == compared(other)
            return NotImplemented

        def __hash__(self: Any) -> int:
            return hash(hashed(self))

        @reprlib.recursive_repr()
        def __repr__(self: Any) -> str:
            values = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
            return f"{self.__class__.__qualname__}({values})"

        for method in (__eq__, __hash__, __repr__):
            method.__qualname__ = f"{made.__qualname__}.{method.__name__}"
            setattr(made, method.__name__, method)
        made.__init__ = _stand_in(made)
        made.__signature__ = _FromInit("signature")
        if undocumented:
            made.__doc__ = _FromInit("doc")
        made.__setattr__, made.__delattr__ = _frozen_setattr, _frozen_delattr
        if "__slots__" in made.__dict__:  # pickle restores a slotted instance through setattr
            made.__getstate__, made.__setstate__ = _getstate, _setstate
        return made


def _plain(annotation: str) -> bool:
    """Whether an annotation's text cannot name a ClassVar, an InitVar or KW_ONLY."""
    return "ClassVar" not in annotation and "InitVar" not in annotation and "KW_ONLY" not in annotation


def _check_fields(made: Any, made_fields: tuple[Field[Any], ...]) -> None:
    """Refuse at class creation what `dataclass` would refuse as it wrote `__init__`, and what a
    written-later `__init__` does not take (an `InitVar`)."""
    names = {f.name for f in made_fields}
    if any(name not in names and "InitVar" in str(f.type) for name, f in made.__dataclass_fields__.items()):
        raise TypeError(f"{made.__name__} has an InitVar: use dataclass()")
    seen_default = False
    for f in made_fields:
        if not f.init or f.kw_only:
            continue
        if f.default is not MISSING or f.default_factory is not MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")


def _stand_in(made: Any) -> Callable[..., None]:
    """`made.__init__` until its first call, which writes the real one (`_written_init`)."""

    def __init__(self: Any, /, *args: Any, **kwargs: Any) -> None:
        _written_init(made)(self, *args, **kwargs)

    __init__.__qualname__ = f"{made.__qualname__}.__init__"
    return __init__


_STAND_IN = _stand_in(object).__code__  # every stand-in's


class _FromInit:
    """A record's `__signature__`, and its `__doc__` when it has none, as `dataclass` gives them,
    read from its written `__init__` when they are asked for (writing it if need be)."""

    def __init__(self, what: Literal["signature", "doc"]) -> None:
        self.what = what

    def __get__(self, instance: Any, owner: Any) -> Any:
        if instance is not None and self.what == "signature":
            raise AttributeError("__signature__")  # an instance's is its __call__'s, if any
        signature = inspect.signature(_written_init(owner))
        signature = signature.replace(parameters=list(signature.parameters.values())[1:])
        if self.what == "signature":
            return signature
        return owner.__name__ + str(signature).replace(" -> None", "")


def _written_init(made: Any) -> Callable[..., None]:
    """`made.__init__` as `dataclass(frozen=True)` writes it (each field set through
    `object.__setattr__`, defaults, factories, keyword-only fields, `__post_init__`), compiled and
    put in place of the stand-in the first time it is asked for."""
    current = made.__init__
    if getattr(current, "__code__", None) is not _STAND_IN:
        return current
    self_name = "__dataclass_self__" if "self" in {f.name for f in fields(made)} else "self"
    names: dict[str, Any] = {"__record_set__": object.__setattr__, "__record_factory__": _FACTORY}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for f in fields(made):
        default, factory = f"__record_default_{f.name}__", f"__record_factory_{f.name}__"
        if f.default is not MISSING:
            names[default] = f.default
        elif f.default_factory is not MISSING:
            names[factory] = f.default_factory
        if f.init:
            names[f"__record_type_{f.name}__"] = f.type
            param = f"{f.name}: __record_type_{f.name}__"
            if f.default is not MISSING:
                param += f"={default}"
            elif f.default_factory is not MISSING:
                param += "=__record_factory__"
            (keyword if f.kw_only else positional).append(param)
            value = f.name
            if f.default_factory is not MISSING:
                value = f"{factory}() if {f.name} is __record_factory__ else {f.name}"
        elif f.default is not MISSING:
            value = default
        elif f.default_factory is not MISSING:
            value = f"{factory}()"
        else:
            continue  # not set by __init__ (its __post_init__ may set it)
        body.append(f"    __record_set__({self_name}, {f.name!r}, {value})")
    if hasattr(made, "__post_init__"):
        body.append(f"    {self_name}.__post_init__()")
    params = ", ".join([self_name, *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({params}) -> None:\n" + "\n".join(body or ["    pass"])
    exec(compile(source, "<record>", "exec", dont_inherit=True), names)  # annotations not strings
    init = names["__init__"]
    init.__qualname__ = f"{made.__qualname__}.__init__"
    init.__module__ = made.__module__
    made.__init__ = init
    return init


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for f, value in zip(fields(self), state, strict=False):
        object.__setattr__(self, f.name, value)


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A record's values of `names`, as a tuple (what dataclass's methods compare and hash)."""
    if len(names) > 1:
        return attrgetter(*names)
    return lambda self: tuple(getattr(self, name) for name in names)


R = TypeVar("R")
ResultStatus = Literal["pass", "fail", "error"]
RunStatus = Literal["running", "completed", "interrupted", "stopped", "failed"]


@record(frozen=True, slots=True)
class Price:
    """USD per million tokens: a model's price as a suite or the config sets it (validated there by
    pydantic, which reads this class's fields) and as the built-in table holds it
    (analysis/pricing.py). An unknown price is None, never a Price of 0."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}  # a misspelt key is an error

    input_per_mtok: float
    output_per_mtok: float

    def __post_init__(self) -> None:
        for name in ("input_per_mtok", "output_per_mtok"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0 <= value < math.inf):
                raise ValueError(f"{name}: US dollars a million tokens, a number >= 0 (got {value!r})")


@record(frozen=True, slots=True)
class Spread:
    """Latency-style summary; all None when there were no values."""

    n: int
    p50: float | None
    p95: float | None
    max: float | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Spread:
        data = data or {}
        return cls(int(data.get("n") or 0), data.get("p50"), data.get("p95"), data.get("max"))


@record(frozen=True, slots=True)
class Rate:
    """A pass rate over scored results (pass + fail) with its 95% interval.

    `method` is "wilson" for independent single-epoch cases, "clustered" when cases share a
    cluster or were asked over several epochs (then `se` is the clustered standard error).
    `pass_rate` is None when nothing was scored.
    """

    n: int
    passed: int
    pass_rate: float | None
    lo: float
    hi: float
    method: str
    se: float | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Rate:
        data = data or {}
        return cls(
            n=int(data.get("n") or 0),
            passed=int(data.get("passed") or 0),
            pass_rate=data.get("pass_rate"),
            lo=_number(data.get("lo"), 0.0),
            hi=_number(data.get("hi"), 1.0),
            method=str(data.get("method") or "wilson"),
            se=data.get("se"),
        )


@record(frozen=True, slots=True)
class TagRate:
    tag: str
    rate: Rate


@record(frozen=True)
class RunMetrics:
    """Everything `evaltui show` and the run screen print about a run. Counts are of results
    (a case over three epochs counts three times); rates and mean score are per case. Latency is
    over the answers asked in this run only (`analysis.metrics.fresh_latency`)."""

    total: int
    passed: int
    failed: int
    errors: int
    rate: Rate
    pass_rate_all: float | None  # passed / total, errors counted as not passed
    mean_score: float | None
    latency_ms: Spread
    tokens_in: int  # tokens and cost are what this run spent (`spent`): cached answers count 0
    tokens_out: int
    # None: some answer asked in this run has an unknown price, or no result has a price at all and
    # none came from the cache (a run whose every case errored cost nothing anyone knows of); never
    # 0 for unknown. A run answered wholly from the cache spent 0.
    cost_usd: float | None
    cases: int
    epochs: int  # most epochs any case has
    flaky_share: float | None  # share of multi-epoch cases whose epochs disagree
    by_tag: tuple[TagRate, ...] = field(default_factory=tuple)
    cached: int = 0  # results answered from the response cache (their latency is not in latency_ms)
    # answers asked in this run that reported no token counts (a Python component returning a
    # string): tokens_in and tokens_out are the sums over the others, not totals
    tokens_uncounted: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; NaN (no spread known) becomes null."""
        return json_ready(asdict(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunMetrics:
        """Metrics as `to_dict` wrote them (a run's stored `metrics`); keys an older evaltui did not
        write take their empty value."""
        return cls(
            total=int(data.get("total") or 0),
            passed=int(data.get("passed") or 0),
            failed=int(data.get("failed") or 0),
            errors=int(data.get("errors") or 0),
            rate=Rate.from_dict(data.get("rate")),
            pass_rate_all=data.get("pass_rate_all"),
            mean_score=data.get("mean_score"),
            latency_ms=Spread.from_dict(data.get("latency_ms")),
            tokens_in=int(data.get("tokens_in") or 0),
            tokens_out=int(data.get("tokens_out") or 0),
            cost_usd=data.get("cost_usd"),
            cases=int(data.get("cases") or 0),
            epochs=int(data.get("epochs") or 0),
            flaky_share=data.get("flaky_share"),
            by_tag=tuple(
                TagRate(str(entry.get("tag")), Rate.from_dict(entry.get("rate")))
                for entry in data.get("by_tag") or ()
            ),
            cached=int(data.get("cached") or 0),
            tokens_uncounted=int(data.get("tokens_uncounted") or 0),
        )


@record(frozen=True, slots=True)
class RunRecord:
    """A run as the `runs` table keeps it (fields in the table's column order). `cost_usd` is None
    when some answered result had no known price (`cost_unknown`): an unknown cost never reads as
    $0. `metrics` is what the run kept when it ended (None while it runs, for a run that never
    ended cleanly, or one an older evaltui summed with fewer figures: reports.metrics.metrics_of
    computes those); `options` what it was started with (None before schema v5)."""

    id: str
    suite_id: str = ""
    suite: str = ""
    model_id: str = ""
    model_config: Mapping[str, Any] = field(default_factory=dict)  # the model spec without secrets
    status: RunStatus = "running"
    started_at: str = ""
    finished_at: str | None = None
    total: int = 0
    epochs: int = 1
    done: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = 0.0
    label: str | None = None
    group_id: str | None = None
    version: str = ""
    pid: int | None = None
    hostname: str | None = None
    metrics: RunMetrics | None = None
    cost_unknown: int = 0
    claimed_at: str | None = None
    options: Mapping[str, Any] | None = None
    stop_reason: str | None = None  # why it ended early (stopped, or at its cost ceiling)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RunRecord:
        """A decoded `runs` row (JSON columns already parsed). Columns this evaltui does not know
        (a newer minor schema) are left out rather than refused."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in row.items() if k in known}
        kept = values.get("metrics")
        # A summary kept by an older evaltui may lack figures added since: as good as none.
        if isinstance(kept, Mapping) and all(f.name in kept for f in fields(RunMetrics)):
            values["metrics"] = RunMetrics.from_dict(kept)
        else:
            values["metrics"] = None
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """The run as its stored row reads: what `show --json` and `compare --json` print."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["model_config"] = dict(self.model_config)
        data["metrics"] = None if self.metrics is None else self.metrics.to_dict()
        data["options"] = None if self.options is None else dict(self.options)
        return data


@record(frozen=True, slots=True)
class ScoreRecord:
    """One scorer's verdict on a result, as stored (`scorers.base.Score.as_dict`)."""

    name: str
    passed: bool
    value: float
    reason: str
    weight: float = 1.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreRecord:
        return cls(
            name=str(data.get("name", "")),
            passed=bool(data.get("passed")),
            value=_number(data.get("value"), 0.0),
            reason=str(data.get("reason", "")),
            weight=_number(data.get("weight"), 1.0),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "value": self.value,
            "reason": self.reason,
            "weight": self.weight,
        }


@record(frozen=True, slots=True)
class HeldResults:
    """What a run's stored results add up to, read when it resumes so that its live figures start
    from them: counts by status, cached answers, and the tokens and cost this run spent (a cached
    answer spends none); `cost_usd` None while no result has a known cost."""

    done: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    cached: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None


@record(frozen=True, slots=True)
class JudgeUsage:
    """What a result's judge calls cost (kept apart from the answer's own tokens and cost)."""

    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JudgeUsage:
        return cls(
            calls=int(data.get("calls") or 0),
            tokens_in=int(data.get("tokens_in") or 0),
            tokens_out=int(data.get("tokens_out") or 0),
            cost_usd=data.get("cost_usd"),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "cost_usd": self.cost_usd,
        }


@record(frozen=True, slots=True)
class Result:
    """One case's answer in one run and epoch: what the engine builds (engine/result.py), the
    store's writer keeps, run metrics fold and every read gives back. `output` and `error` are
    exactly what was kept (control characters, NUL, lone surrogates included): untrusted text,
    never markup.

    `prompt` is the messages the model saw (chat shape: role and content). The case fields
    (`input`, `expected`, `vars`, `tags`, `cluster`) are not columns of a result: the engine sets
    `tags` and `cluster` for the run's metrics as it goes, the reads that join the case fill them
    (`Store.get_result`, `neighbour`, `iter_metric_rows`); a streamed read (`iter_results`) leaves
    them empty, and leaves at their defaults the columns it was not asked for."""

    run_id: str
    case_id: str
    _: KW_ONLY
    epoch: int = 0
    position: int | None = None  # the case's place in the suite
    status: ResultStatus = "error"
    output: str | None = None
    prompt: tuple[Mapping[str, Any], ...] = ()
    scores: tuple[ScoreRecord, ...] = ()
    value: float | None = None
    latency_ms: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None
    attempts: int = 1
    cached: bool = False
    error: str | None = None
    finished_at: Any = None  # seconds since the epoch as the engine wrote them (text affinity)
    judge: JudgeUsage | None = None
    # what a tools suite's case called (name, arguments, id) and each agent step, as stored (JSON
    # objects in each vendor-neutral shape the engine wrote); empty for a case that called nothing
    tool_calls: tuple[Mapping[str, Any], ...] = ()
    steps: tuple[Mapping[str, Any], ...] = ()
    input: Any = None
    expected: Any = None
    vars: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    cluster: str | None = None  # cases sharing one are not independent (analysis/metrics.py)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Result:
        """A decoded `results` row, with its case's columns when the read joined them."""
        values = {k: v for k, v in row.items() if k in _RESULT_FIELDS and v is not None}
        values["scores"] = tuple(ScoreRecord.from_dict(s) for s in _list(values.get("scores")))
        values["prompt"] = tuple(_list(values.get("prompt")))
        values["tags"] = tuple(_list(values.get("tags")))
        values["tool_calls"] = tuple(_list(values.get("tool_calls")))
        values["steps"] = tuple(_list(values.get("steps")))
        if "judge" in values:
            values["judge"] = JudgeUsage.from_dict(values["judge"])
        values["cached"] = bool(values.get("cached", False))
        return cls(**values)

    def as_row(self) -> dict[str, Any]:
        """Every column as its JSON form reads, in the table's order, then the case's columns
        (`cluster` aside: a run's JSON export has never carried it)."""
        return {name: self.column(name) for name in _ROW_FIELDS}

    def column(self, name: str) -> Any:
        """A column's value as its JSON form reads (scores and prompt as lists): for exports."""
        value = getattr(self, name)
        if name == "scores":
            return [s.as_dict() for s in self.scores]
        if name == "prompt":
            return [dict(m) for m in self.prompt]
        if name in ("tool_calls", "steps"):  # stored as NULL when there were none
            return [dict(m) for m in value] or None
        if name == "judge":
            return None if self.judge is None else self.judge.as_dict()
        if name == "vars":
            return dict(self.vars)
        if name == "tags":
            return list(self.tags)
        return value

    @property
    def name(self) -> str:
        """The case as a person names it: its id, with `#epoch` after the first epoch."""
        return self.case_id + (f"#{self.epoch}" if self.epoch else "")


_RESULT_FIELDS = frozenset(f.name for f in fields(Result))
_ROW_FIELDS = tuple(f.name for f in fields(Result) if f.name != "cluster")


@record(frozen=True, slots=True)
class ResultPreview:
    """One row of a page of results (`Store.page_results`): the figures and the first characters of
    the output and of the case's input, never the full texts (a page of a 100,000-case run
    stays small)."""

    run_id: str
    case_id: str
    _: KW_ONLY
    epoch: int = 0
    position: int | None = None
    status: ResultStatus = "error"
    value: float | None = None
    latency_ms: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None
    attempts: int = 1
    cached: bool = False
    error: str | None = None
    finished_at: Any = None
    tags: tuple[str, ...] = ()
    input_preview: str = ""
    output_preview: str = ""
    label: str | None = None  # the case's current label in the run (store/annotations.py)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ResultPreview:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in row.items() if k in known and v is not None}
        values["tags"] = tuple(_list(values.get("tags")))
        values["cached"] = bool(values.get("cached", False))
        return cls(**values)

    @property
    def name(self) -> str:
        """The case as a person names it: its id, with `#epoch` after the first epoch."""
        return self.case_id + (f"#{self.epoch}" if self.epoch else "")


def _list(value: Any) -> list[Any]:
    """A JSON column that should hold a list: anything else (NULL, an older file's odd value) as []."""
    return value if isinstance(value, list) else []


def _number(value: Any, default: float) -> float:
    return default if value is None else float(value)


def json_ready(value: Any) -> Any:
    """Plain data with every non-finite float (no value known) as None, as JSON must say it."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def quick(cls: type[R]) -> type[R]:
    """A maker of the frozen, slotted dataclass `cls` for records built once a case of a run: it
    takes what `cls(...)` takes (mypy checks calls as it does the class's) and gives an equal `cls`,
    several times cheaper. A frozen dataclass's own `__init__` sets each field through
    `object.__setattr__`, a slow call; this one sets them as plain attributes of an instance of a
    twin class with the same slots, then makes it a `cls` (assigning `__class__`, which Python
    allows between classes of one layout) and runs its `__post_init__`. Not a class: never use it
    for isinstance."""
    record: Any = cls
    if not getattr(record, "__dataclass_params__", None) or "__slots__" not in record.__dict__:
        raise TypeError(f"{record.__name__} is not a slotted dataclass")
    if record.__bases__ != (object,):  # a base's slots would not be the twin's: not one layout
        raise TypeError(f"{record.__name__} has a base class")
    twin = type(f"_{record.__name__}Twin", (object,), {"__slots__": record.__slots__})
    names: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls, "_FACTORY": _FACTORY}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for f in fields(record):
        if not f.init:
            raise TypeError(f"{cls.__name__}.{f.name} is not set by __init__")
        param = f.name
        if f.default is not MISSING:
            names[f"_d_{f.name}"] = f.default
            param += f"=_d_{f.name}"
            body.append(f"    self.{f.name} = {f.name}")
        elif f.default_factory is not MISSING:
            names[f"_f_{f.name}"] = f.default_factory
            param += "=_FACTORY"
            body.append(f"    self.{f.name} = _f_{f.name}() if {f.name} is _FACTORY else {f.name}")
        else:
            body.append(f"    self.{f.name} = {f.name}")
        (keyword if f.kw_only else positional).append(param)
    params = ", ".join([*positional, *(["*", *keyword] if keyword else [])])
    post = ["    self.__post_init__()"] if hasattr(cls, "__post_init__") else []
    lines = ["    self = _new(_twin)", *body, "    self.__class__ = _cls", *post, "    return self"]
    exec(f"def make({params}):\n" + "\n".join(lines), names)  # as dataclasses writes __init__
    make = names["make"]
    # A record's __init__ takes its fields, no more (record refuses an InitVar): not written to be
    # compared. Another dataclass's may take an InitVar, say: not for this maker.
    written = getattr(record.__init__, "__code__", None) is not _STAND_IN
    if written and _params_of(make) != _params_of(record.__init__)[1:]:
        raise TypeError(f"{cls.__name__} takes more than its fields")
    make.__qualname__ = make.__name__ = f"quick({cls.__name__})"
    return make


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"  # as dataclass shows such a default in a signature


_FACTORY = _Factory()  # "no value given" for a field whose default comes from a factory


def _params_of(call: Any) -> list[tuple[str, Any]]:
    return [(p.name, p.kind) for p in inspect.signature(call).parameters.values()]
