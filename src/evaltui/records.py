"""The records every layer passes: a run, its metrics, a result and its scores.

Frozen dataclasses, made once where the data enters (the store reading a row, the metrics folding
results) and trusted everywhere above: the engine, reports, CLI and TUI read attributes, never
`dict[str, Any]`. This module sits at the bottom of the house (the standard library and
`evaltui.recordclass`, which makes its classes), so every layer may import it; `analysis/`
computes `RunMetrics`, `store/` reads all of them back.

JSON the CLI prints (`show --json`, `compare --json`, exports) comes from `as_dict()`, which gives
the same keys in the same order as the stored row, so the output a script reads does not change.

The classes are made by `evaltui.recordclass.record` (the same frozen dataclasses as
`dataclass(frozen=True, ...)`, cheaper to import); a record built for every case of a run (its
`Result`) is made through `evaltui.recordclass.quick(Result)`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import KW_ONLY, asdict, field, fields
from typing import Any, ClassVar, Literal

from evaltui.recordclass import record

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
