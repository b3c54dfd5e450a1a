"""What a run needs of the store, as types: the engine never imports store/ (DESIGN.md), so it names
the few methods a `Runner` calls, and mypy checks that the `Store` a caller hands in has them with
these signatures. Everything passes records (`Result`, `RunRecord`, `RunMetrics`), never a dict,
except a response-cache entry: a completion as JSON, which the store keeps as it is given."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from evaltui.records import Result, RunMetrics, RunRecord

OnCommit = Callable[[list[Result]], None]


class ResultSink(Protocol):
    """The store's batched writer (store/writer.py): results go in without waiting on the disk."""

    def put(self, result: Result) -> None: ...

    def put_cache(self, key: str, completion: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class RunStore(Protocol):
    """The store as a run uses it once planned (engine/plan.py reads and writes the rest)."""

    def writer(self, on_commit: OnCommit | None = None) -> ResultSink: ...

    def cache_get(self, key: str) -> dict[str, Any] | None: ...

    def get_run(self, run_id: str) -> RunRecord | None: ...

    def iter_metric_rows(self, run_id: str) -> Iterator[Result]: ...

    def finish_run(
        self, run_id: str, status: str, metrics: RunMetrics, *, reason: str | None = None
    ) -> None: ...

    def checkpoint(self) -> bool: ...
