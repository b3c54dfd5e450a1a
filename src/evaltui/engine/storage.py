"""What a run needs of the store, as types: the engine never imports store/ (DESIGN.md), so it names
the few methods a `Runner` calls, and mypy checks that the `Store` a caller hands in has them with
these signatures. Everything passes records (`Result`, `RunRecord`, `RunMetrics`), never a dict,
except a response-cache entry: a completion as JSON, which the store keeps as it is given.
`RunHistory` and `FinishedRuns` are the store as an estimate, a resume and a rerun read it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from evaltui.analysis.histogram import RangeReader
from evaltui.records import HeldResults, Result, RunMetrics, RunRecord
from evaltui.suites.models import ModelSpec, Suite

OnCommit = Callable[[list[Result]], None]
# A new run's rows (its suite's and cases' too), written by its result writer first: opaque here
RunRows = Callable[[Any], None]


class ResultSink(Protocol):
    """The store's batched writer (store/writer.py): results go in without waiting on the disk."""

    def put(self, result: Result) -> None: ...

    def put_cache(self, key: str, completion: dict[str, Any]) -> None: ...

    def begin(self) -> None: ...

    def close(self) -> None: ...

    def finish_run(
        self,
        run_id: str,
        status: str,
        metrics: Callable[[RangeReader], RunMetrics],
        *,
        reason: str | None = None,
    ) -> RunRecord:
        """Close, then end the run on the writer's thread (`metrics` is called there, with a reader
        of the run's latencies): the run as its end was committed. The thread then checkpoints the
        store (`checkpoint_soon`), which the store's close waits for."""
        ...


class RunStore(Protocol):
    """The store as a run uses it: planned (engine/plan.py: a new run's id and rows, which its
    result writer writes first, or a resumed run reopened and its finished results looked up),
    then run."""

    def new_run(
        self,
        suite: Suite,
        *,
        model: ModelSpec,
        total: int,
        label: str | None = None,
        group_id: str | None = None,
        epochs: int = 1,
        options: dict[str, Any] | None = None,
    ) -> tuple[str, RunRows]: ...

    def set_run_status(self, run_id: str, status: str) -> None: ...

    def held_results(self, run_id: str, *, without_errors: bool = False) -> HeldResults: ...

    def result_statuses(self, run_id: str, case_ids: Sequence[str]) -> dict[tuple[str, int], str]: ...

    def writer(
        self,
        on_commit: OnCommit | None = None,
        *,
        first: RunRows | None = None,
        on_first: Callable[[], None] | None = None,
    ) -> ResultSink: ...

    def cache_get(self, key: str) -> dict[str, Any] | None: ...

    def get_run(self, run_id: str) -> RunRecord | None: ...

    def iter_metric_rows(self, run_id: str) -> Iterator[Result]: ...

    def fresh_latencies(
        self, run_id: str, lo: float | None, hi: float | None, offset: int, limit: int
    ) -> list[float]: ...

    def finish_run(
        self, run_id: str, status: str, metrics: RunMetrics, *, reason: str | None = None
    ) -> None: ...

    def checkpoint_soon(self) -> None: ...


class RunHistory(Protocol):
    """The store as an estimate reads earlier runs (engine/estimate.py)."""

    def list_runs(
        self,
        *,
        suite: str | None = None,
        model: str | None = None,
        label: str | None = None,
        status: str | None = None,
        group_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[RunRecord]: ...


class FinishedRuns(Protocol):
    """The store as a run that ended is read to finish it (engine/resume.py) or to make a new run
    from it (engine/rerun.py: rerun the failing cases, rescore, accept an output as expected)."""

    @property
    def path(self) -> Path: ...

    def get_run(self, run_id: str) -> RunRecord | None: ...

    def stored_suite(self, suite_id: str) -> tuple[dict[str, Any], str] | None: ...

    def iter_suite_cases(self, suite_id: str) -> Iterator[dict[str, Any]]: ...

    def result_statuses(self, run_id: str, case_ids: Sequence[str]) -> dict[tuple[str, int], str]: ...

    def count_failing_cases(self, run_id: str) -> int: ...

    def iter_case_ids(self, run_id: str, *, failing_only: bool = False) -> Iterator[str]: ...

    def get_result(self, run_id: str, case_id: str, epoch: int = 0) -> Result | None: ...

    def iter_results(self, run_id: str, columns: Sequence[str] = ...) -> Iterator[Result]: ...

    def count_results(
        self,
        run_id: str,
        *,
        status: str | Sequence[str] | None = None,
        tag: str | None = None,
        search: str | None = None,
        label: str | None = None,
    ) -> int: ...

    def results_of(
        self, run_id: str, case_ids: Sequence[str], columns: Sequence[str]
    ) -> dict[str, Result]: ...

    def mark_accepted(self, run_id: str, case_id: str, note: str) -> object: ...
