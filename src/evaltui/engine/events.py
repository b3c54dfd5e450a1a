"""What the engine tells whoever watches it. The engine knows nothing about its watchers:
the CLI's Rich progress bar, the `--events` JSON lines stream and the TUI all subscribe to
the same events, through one display interface: `Display`, a callable taking each event, called
on the engine's loop thread (a display on another thread hands the event over, as the TUI posts
a message).

`Progress` carries the run's live figures, at most every PROGRESS_EVERY_S while anything moved:
coalesced at the source, so no display polls the runner, and a display that redraws less often
keeps the last one.

`CaseFinished` is emitted only after the result is committed to the database, so a watcher that
saw a case finish can rely on it surviving a crash. A display that draws no single case (the CLI's
progress) says so with an attribute `cases = False`: it is told of none, and a run watched only by
such displays makes no event a case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, field
from typing import Any, Literal

from evaltui.engine.live_stats import LiveStats
from evaltui.recordclass import record
from evaltui.records import RunRecord

PROGRESS_EVERY_S = 0.1

Status = Literal["pass", "fail", "error"]
RunStatus = Literal["running", "completed", "interrupted", "stopped", "failed"]


@record(frozen=True, slots=True)
class RunStarted:
    run_id: str
    suite: str
    model_id: str
    total: int  # results this run will hold (cases x epochs)
    already_done: int = 0  # finished before a resume
    group_id: str | None = None
    epochs: int = 1  # times each case is asked: live counts are of results, not cases


@record(frozen=True, slots=True)
class CaseFinished:
    run_id: str
    case_id: str
    epoch: int
    status: Status
    latency_ms: float | None
    tokens_in: int | None
    tokens_out: int | None
    cost_usd: float | None
    cached: bool
    attempts: int
    error: str | None = None


@record(frozen=True, slots=True)
class RunCounters:
    """A finished run's counters as the store recounted them from its results (each None when the
    run could not be read back)."""

    total: int | None = None
    done: int | None = None
    passed: int | None = None
    failed: int | None = None
    errors: int | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None  # None also when some answer's price is unknown

    @classmethod
    def of(cls, run: RunRecord | None) -> RunCounters:
        if run is None:
            return cls()
        return cls(
            run.total,
            run.done,
            run.passed,
            run.failed,
            run.errors,
            run.tokens_in,
            run.tokens_out,
            run.cost_usd,
        )


@record(frozen=True, slots=True)
class RunFinished:
    run_id: str
    status: RunStatus
    counters: RunCounters = field(default_factory=RunCounters)
    reason: str | None = None  # why a `failed` run stopped (its endpoint unreachable, its key refused)


@record(frozen=True, slots=True)
class Progress:
    run_id: str
    stats: LiveStats


Event = RunStarted | CaseFinished | Progress | RunFinished
Display = Callable[[Event], None]


def event_to_dict(event: Event) -> dict[str, Any]:
    return {"event": type(event).__name__, **asdict(event)}
