"""The Runner: one run of a prepared suite against one model. It orchestrates only: planning
(engine/plan.py, on a worker thread), asking (engine/ask.py), each case's result (engine/result.py),
the store's batched writer, and the events its watchers get.

Cases flow through a fixed pool of `concurrency` worker tasks (not one task per case, so a
100,000-case suite costs no more memory than a small one). Each finished case becomes a `Result`
handed to the store's batched writer; only when the writer has *committed* a batch do the
live stats move and `CaseFinished` events go out, so anything a watcher saw finish survives a crash.
A new run's own rows are that writer's first transaction, made once the first requests are out,
and `RunStarted` goes out once they are committed: a run a watcher was told of is in the file.

A run that cannot succeed stops (engine/retry.py's breaker: an endpoint that cannot be reached, a
refused key): every worker is cancelled, the cases in flight are not recorded (`--resume` asks
them), the run ends `failed` and `stop_reason` (also on `RunFinished`) says why. A run that
reaches its cost ceiling (`--max-cost`, a suite's `max_cost_usd`) starts no new case, lets those in
flight finish and ends `stopped` (when cases are left) with `budget_reason`; `--resume` finishes it.
Either reason is stored with the run (`runs.stop_reason`), as is the error that ends a run `failed`
otherwise (a model that cannot be set up). A run cancelled while it is still planned ends
`interrupted` once its planning thread is done, as any cancelled run does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import time
import uuid
from collections.abc import Callable, Iterator

from evaltui.analysis.histogram import RangeReader
from evaltui.analysis.metrics import MetricsTally, spent, stored_run_metrics
from evaltui.engine.ask import Asker, CacheAccess
from evaltui.engine.events import (
    PROGRESS_EVERY_S,
    CaseFinished,
    Event,
    Progress,
    RunCounters,
    RunFinished,
    RunStarted,
)
from evaltui.engine.live_stats import LiveStats, StatsTracker
from evaltui.engine.plan import Plan, RunOptions, plan_run
from evaltui.engine.prepare import PreparedCase, PreparedSuite
from evaltui.engine.ratelimit import Endpoint
from evaltui.engine.result import CaseRun, case_result, result_of
from evaltui.engine.storage import ResultSink, RunStore
from evaltui.errors import RunStopped
from evaltui.providers.http import HttpClient
from evaltui.recordclass import quick
from evaltui.records import Result, RunMetrics, RunRecord, RunStatus
from evaltui.scorers import model_secrets
from evaltui.suites.models import ModelSpec

log = logging.getLogger(__name__)
Subscriber = Callable[[Event], None]
_new_case_finished = quick(CaseFinished)  # one a case, for every run that is watched


class Runner:
    def __init__(
        self,
        store: RunStore,
        prepared: PreparedSuite,
        model: ModelSpec,
        options: RunOptions | None = None,
        *,
        resume_run_id: str | None = None,
        subscribers: tuple[Subscriber, ...] = (),
    ) -> None:
        self.store = store
        self.prepared = prepared
        self.model = model
        self.options = options or RunOptions()
        self.run_id: str | None = resume_run_id
        self._resume = resume_run_id is not None
        self._subscribers: list[Subscriber] = []
        self._case_watchers: list[Subscriber] = []  # the subscribers told of each case (CaseFinished)
        for callback in subscribers:
            self.subscribe(callback)
        self._tracker = StatsTracker(0)
        self._tally: MetricsTally | None = None  # a fresh run's metrics, folded as results commit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._cancelled = False
        self.stop_reason: str | None = None  # why the run stopped itself (it ends `failed`)
        self.budget_reason: str | None = None  # why it stopped at its cost ceiling (`stopped`)
        self._failure: str | None = None  # the error that ended it `failed` (raised to the caller)
        self._spent = 0.0  # USD this session's results spent (cached answers: nothing)
        # the cost ceiling (`--max-cost`, else the suite's): None, nothing to count
        self._ceiling = self.options.max_cost_usd or prepared.suite.max_cost_usd
        self._writer: ResultSink | None = None  # the store's batched writer, once planned
        self._asker: Asker | None = None
        self._endpoint: Endpoint | None = None  # the model's, once the run asks it
        self._announced = asyncio.Event()  # set once RunStarted is sent: Progress follows it

    # -- watching -------------------------------------------------------------------------
    def subscribe(self, callback: Subscriber) -> None:
        """Tell `callback` every event, but `CaseFinished` only when it wants them: a display that
        draws no single case (`cases = False`, the CLI's progress) costs no event a case."""
        self._subscribers.append(callback)
        if getattr(callback, "cases", True):
            self._case_watchers.append(callback)

    @property
    def stats(self) -> LiveStats:
        stats = self._tracker.snapshot()
        endpoint = self._endpoint
        if endpoint is None:
            return stats
        return dataclasses.replace(
            stats,
            concurrency=endpoint.concurrency,
            waiting_s=endpoint.waiting_s(),
            rate_limited=endpoint.rate_limited,
        )

    def _emit(self, event: Event) -> None:
        for callback in self._subscribers:
            callback(event)

    def cancel(self) -> None:
        """Stop asking for new cases; finished results stay. Safe from any thread."""
        self._cancelled = True
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._cancel_workers)

    def _cancel_workers(self) -> None:
        for task in self._workers:
            task.cancel()

    def _stop(self, reason: str) -> None:
        """The run cannot succeed: no new case starts, every request and backoff in flight ends now."""
        if self.stop_reason is None:
            self.stop_reason = reason  # told by RunFinished: the CLI prints it, the TUI notifies it
        self._cancelled = True
        self._cancel_workers()

    # -- running --------------------------------------------------------------------------
    async def run(self) -> str:
        self._loop = asyncio.get_running_loop()
        planning = asyncio.ensure_future(
            asyncio.to_thread(
                plan_run,
                self.store,
                self.prepared,
                self.model,
                self.options,
                self.run_id if self._resume else None,
            )
        )
        try:
            plan = await asyncio.shield(planning)
        except asyncio.CancelledError:
            await self._end_unstarted(planning)
            raise
        self.run_id, self._tally = plan.run_id, plan.tally
        self._tracker = StatsTracker(plan.total, plan.already)
        started = RunStarted(
            self.run_id,
            self.prepared.suite.name,
            self.model.id,
            plan.total,
            plan.already.done,
            self.options.group_id,
            plan.epochs,
        )
        # A new run's rows are its writer's first transaction, made once the first requests are
        # out; the run is told started once they are in the file (before any of its results).
        opening = asyncio.ensure_future(
            asyncio.to_thread(
                self.store.writer,
                on_commit=self._committed_threadsafe,
                first=plan.rows,
                on_first=None if plan.rows is None else functools.partial(self._started_threadsafe, started),
            )
        )
        try:
            writer = self._writer = await asyncio.shield(opening)
        except asyncio.CancelledError:  # a new run is told started meanwhile: it ends as one cancelled
            self._writer = await opening
            await self._finish("interrupted", announce=plan.rows is not None)
            raise
        if plan.rows is None:
            self._started(started)
        status: RunStatus = "completed"
        concurrency = min(self.options.concurrency, self.model.concurrency or self.options.concurrency)
        cache = CacheAccess(self.store.cache_get, writer.put_cache)
        self._asker = Asker(
            HttpClient(max_connections=concurrency),
            cache,
            use_cache=self.options.use_cache,
            prices=self.options.prices,
            on_stop=self._stop,
            concurrency=concurrency,
        )
        try:
            self._endpoint = self._asker.endpoint(self.model)
        except BaseException as exc:  # a model that cannot be set up: the run ends failed, not "running"
            self._failure = str(exc) or repr(exc)
            await self._finish("failed")
            raise
        case_run = CaseRun(
            self.run_id,
            self.model,
            self.prepared,
            self._asker,
            model_secrets((self.model, *self.prepared.suite.models)),
        )
        cases = iter(plan.work)
        reporting = asyncio.ensure_future(self._report_progress()) if self._subscribers else None
        try:
            if not self._cancelled:
                await self._start_workers(cases, case_run, writer, min(concurrency, plan.to_ask))
                writer.begin()  # a new run's rows, now that its first requests are out
                await asyncio.gather(*self._workers)
        except asyncio.CancelledError:
            status = "interrupted"
            if not self._cancelled:  # cancelled from outside: clean up, then let it propagate
                await self._finish(status, reporting)
                raise
        except BaseException as exc:
            status = "failed"
            self._failure = str(exc) or repr(exc)
            await self._finish(status, reporting)
            raise
        if self._cancelled:
            status = "interrupted" if self.stop_reason is None else "failed"
        elif self.budget_reason is not None and next(cases, None) is not None:
            status = "stopped"  # at its cost ceiling with cases left: --resume asks them
        await self._finish(status, reporting)
        return self.run_id

    async def _end_unstarted(self, planning: asyncio.Future[Plan]) -> None:
        """Cancelled while planning: the planning thread cannot be stopped and it makes a new run's
        rows (written here, by a writer opened for them) or, for a resume, reopens the run. Once it
        is done, that run ends `interrupted`, as any cancelled run does, instead of staying
        `running` until a later start finds this process gone. No event is sent: the run never
        started."""
        try:
            plan = await planning
        except Exception:  # planning failed: there is no run to end, and the caller gets the cancellation
            log.exception("planning failed after the run was cancelled")
            return
        self.run_id, self._tally = plan.run_id, plan.tally
        if plan.rows is not None:  # a new run's rows: its writer writes them, and closes at the end
            self._writer = await asyncio.to_thread(self.store.writer, first=plan.rows)
        await self._finish("interrupted", announce=False)

    async def _start_workers(
        self, cases: Iterator[tuple[PreparedCase, int]], case_run: CaseRun, writer: ResultSink, count: int
    ) -> None:
        """One worker per loop iteration: each one's connection is made and its first request
        sent while the next ones start. All started in one go, no request would leave before
        every worker had started (the loop handles sockets only between its rounds of ready
        tasks), which at high concurrency held the first requests back (docs/BENCHMARKS.md)."""
        try:
            for _ in range(count):
                if self._cancelled:
                    break
                self._workers.append(asyncio.create_task(self._work(cases, case_run, writer)))
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            self._cancel_workers()
            await asyncio.gather(*self._workers, return_exceptions=True)
            raise

    async def _report_progress(self) -> None:
        """`Progress` while anything moves, at most every PROGRESS_EVERY_S, once the run is told
        started; cancelled at the end."""
        assert self.run_id is not None
        await self._announced.wait()
        last = None
        while True:
            stats = self.stats
            moved = (stats.done, stats.concurrency, round(stats.waiting_s), stats.rate_limited)
            if moved != last:
                last = moved
                self._emit(Progress(self.run_id, stats))
            await asyncio.sleep(PROGRESS_EVERY_S)

    async def _finish(
        self, status: RunStatus, reporting: asyncio.Future[None] | None = None, *, announce: bool = True
    ) -> None:
        assert self.run_id is not None
        run_id = self.run_id
        if reporting is not None:
            reporting.cancel()
        why = self._why(status)
        run: RunRecord | None  # as its end was committed (None: deleted meanwhile)
        try:
            # The .db file alone holds the run once the checkpoint that follows its end is done (its
            # disk syncs), which the run's watchers need not wait for: the store's close waits.
            if self._writer is not None:
                # on the writer's thread right after its last batch, which then checkpoints
                metrics = functools.partial(self._metrics, run_id)
                run = await asyncio.to_thread(self._writer.finish_run, run_id, status, metrics, reason=why)
            else:  # cancelled before it could start
                run = await asyncio.to_thread(self._end_unwritten, run_id, status, why)
        finally:
            # The sockets close once the run's end is written, while the checkpoint waits on the
            # disk: closing them before, the loop would hold the GIL that the writer's thread takes
            # back after each of its SQLite calls, and the end would wait on every handover.
            if self._asker is not None:
                await self._asker.aclose()
        if not announce:
            return
        await asyncio.sleep(0)  # the last on_commit callbacks have run on this loop (they came first)
        if self._subscribers:
            self._emit(Progress(run_id, self.stats))  # the last figures, every result committed
        self._emit(RunFinished(run_id, status, RunCounters.of(run), why))

    def _end_unwritten(self, run_id: str, status: RunStatus, why: str | None) -> RunRecord | None:
        """The end of a run that never had a writer (cancelled before it started), on one thread."""
        metrics = self._metrics(run_id, functools.partial(self.store.fresh_latencies, run_id))
        self.store.finish_run(run_id, status, metrics, reason=why)
        self.store.checkpoint_soon()
        return self.store.get_run(run_id)

    def _metrics(self, run_id: str, latencies: RangeReader) -> RunMetrics:
        """The run's metrics: a fresh run's folded as its results committed, a resumed run's from the
        store (its earlier results are only there); the latency percentiles read from its rows
        (`latencies`). Called on the writer's thread, which folds the tally."""
        if self._tally is None:
            return stored_run_metrics(self.store.iter_metric_rows(run_id), latencies)
        return self._tally.metrics(latencies)

    def _why(self, status: str) -> str | None:
        """Why the run ended early: it could not succeed or broke (`failed`), or it reached its
        cost ceiling with cases left (`stopped`). None for a run completed or interrupted."""
        if status == "failed":
            return self.stop_reason or self._failure
        return self.budget_reason if status == "stopped" else None

    def _started_threadsafe(self, event: RunStarted) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._started, event)

    def _started(self, event: RunStarted) -> None:
        self._emit(event)
        self._announced.set()

    def _committed_threadsafe(self, results: list[Result]) -> None:
        """On the writer's thread after each commit: the tally folds there (the run's end reads it
        there too, after the last batch), the live stats and the events move on the loop."""
        tally = self._tally
        if tally is not None:
            for result in results:
                tally.add(result)
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._committed, results)

    def _committed(self, results: list[Result]) -> None:
        self._tracker.add(results)
        watchers = self._case_watchers
        if not watchers:
            return
        for r in results:
            event = _new_case_finished(
                r.run_id,
                r.case_id,
                r.epoch,
                r.status,
                r.latency_ms,
                r.tokens_in,
                r.tokens_out,
                r.cost_usd,
                r.cached,
                r.attempts,
                r.error,
            )
            for callback in watchers:
                callback(event)

    async def _work(
        self, cases: Iterator[tuple[PreparedCase, int]], case_run: CaseRun, writer: ResultSink
    ) -> None:
        while self.budget_reason is None:  # at the ceiling no case starts; those in flight finish
            try:
                prepared_case, epoch = next(cases)
            except StopIteration:
                return
            try:
                result = await case_result(case_run, prepared_case, epoch)
            except asyncio.CancelledError:
                raise
            except RunStopped as exc:
                self._stop(str(exc))
                return
            except Exception as exc:  # a bug must not sink the run: record it on the case
                log.exception("internal error on case %s", prepared_case.case.id)
                result = result_of(
                    case_run.run_id, prepared_case, epoch, None, error=f"evaltui internal error: {exc!r}"
                )
            if self.stop_reason is not None:  # this case met the stop (a judge's): asked again on resume
                return
            writer.put(result)
            if self._ceiling is not None:
                self._count_spending(result, self._ceiling)

    def _count_spending(self, result: Result, ceiling: float) -> None:
        """Add what a result spent (its answer and its judges) and stop at the cost ceiling."""
        _, _, cost = spent(result)
        judge = result.judge
        self._spent += (cost or 0.0) + ((judge.cost_usd if judge else None) or 0.0)
        if self._spent >= ceiling and self.budget_reason is None:
            self.budget_reason = (
                f"spent ${self._spent:.4f}, which reached the cost ceiling of ${ceiling:g} "
                "(the requests then in flight were finished)"
            )


def new_group_id() -> str:
    return time.strftime("g%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def make_runners(
    store: RunStore,
    prepared: PreparedSuite,
    models: list[ModelSpec],
    options: RunOptions,
    *,
    subscribers: tuple[Subscriber, ...] = (),
) -> list[Runner]:
    """One runner per model; several models share a run group."""
    if len(models) > 1 and options.group_id is None:
        options = dataclasses.replace(options, group_id=new_group_id())
    return [Runner(store, prepared, model, options, subscribers=subscribers) for model in models]


async def run_many(
    store: RunStore,
    prepared: PreparedSuite,
    models: list[ModelSpec],
    options: RunOptions,
    *,
    subscribers: tuple[Subscriber, ...] = (),
) -> list[str]:
    runners = make_runners(store, prepared, models, options, subscribers=subscribers)
    return list(await asyncio.gather(*(runner.run() for runner in runners)))
