"""The Runner: one run of a prepared suite against one model.

Cases flow through a fixed pool of `concurrency` worker tasks (not one task per case, so a
100,000-case suite costs no more memory than a small one). Each finished case becomes a result
row handed to the store's batched writer; only when the writer has *committed* a batch do the
live stats move and `CaseFinished` events go out, so anything a watcher saw finish survives a crash.

A run that cannot succeed stops (engine/retry.py's breaker: an endpoint that cannot be reached, a
refused key): every worker is cancelled, the cases in flight are not recorded (`--resume` asks
them), the run ends `failed` and `stop_reason` (also on `RunFinished`) says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from evaltui.analysis.metrics import MetricsTally, run_metrics
from evaltui.analysis.pricing import cost_usd, price_for
from evaltui.engine.cache import CacheKeys, cache_keys, completion_from_dict, completion_to_dict
from evaltui.engine.events import CaseFinished, Event, RunFinished, RunStarted
from evaltui.engine.prepare import PreparedCase, PreparedSuite
from evaltui.engine.retry import Breaker, RetriesExhausted, RetryPolicy, call_with_retries
from evaltui.engine.stats import LiveStats, StatsTracker
from evaltui.errors import ProviderError, RunStopped, ScorerError
from evaltui.providers import make_provider
from evaltui.providers.base import BadValue, Completion, Provider, Request
from evaltui.providers.http import HttpClient
from evaltui.scorers import combine, model_secrets
from evaltui.scorers.base import ScoreContext
from evaltui.suites.models import ModelSpec

log = logging.getLogger(__name__)
Subscriber = Callable[[Event], None]


@dataclass(frozen=True, slots=True)
class RunOptions:
    concurrency: int = 16
    limit: int | None = None
    tags: tuple[str, ...] = ()
    label: str | None = None
    epochs: int | None = None
    use_cache: bool = True
    retry_errors: bool = False
    group_id: str | None = None
    prices: dict[str, Any] = field(default_factory=dict)  # user price overrides (config)

    def started(self, epochs: int) -> dict[str, Any]:
        """What a new run keeps of its options (the run's `options`), for a resume to finish the
        run that was started (engine/resume.py reads them back)."""
        return {
            "limit": self.limit,
            "tags": list(self.tags),
            "epochs": epochs,
            "use_cache": self.use_cache,
            "concurrency": self.concurrency,
        }


@dataclass(frozen=True, slots=True)
class _ModelCalls:
    """What asking one model needs, built the first time the run asks it."""

    policy: RetryPolicy
    breaker: Breaker  # stops the run when this model's endpoint cannot be reached or refuses the key
    keys: CacheKeys | None  # its response-cache keys; None: its answers are never cached
    price: Any  # Price | None: its USD per million tokens, when known


class JudgeUsage:
    """Tokens and cost of the judge calls made while scoring one case."""

    def __init__(self) -> None:
        self.tokens_in = 0
        self.tokens_out = 0
        self.cost_usd: float | None = None
        self.calls = 0

    def add(self, completion: Completion, cost: float | None) -> None:
        self.calls += 1
        self.tokens_in += completion.tokens_in or 0
        self.tokens_out += completion.tokens_out or 0
        if cost is not None:
            self.cost_usd = (self.cost_usd or 0.0) + cost


class Runner:
    def __init__(
        self,
        store: Any,
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
        self._subscribers: list[Subscriber] = list(subscribers)
        self._tracker = StatsTracker(0)
        self._tally: MetricsTally | None = None  # a fresh run's metrics, folded as results commit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._cancelled = False
        self.stop_reason: str | None = None  # why the run stopped itself (it ends `failed`)
        self._writer: Any = None
        self._http: HttpClient | None = None
        self._judges: dict[str, Provider] = {}
        self._calls: dict[str, _ModelCalls] = {}  # model id (the run's and its judges') -> built once
        self._secrets = model_secrets((model, *prepared.suite.models))  # redacted from scorer errors

    # -- watching -------------------------------------------------------------------------
    def subscribe(self, callback: Subscriber) -> None:
        self._subscribers.append(callback)

    @property
    def stats(self) -> LiveStats:
        return self._tracker.snapshot()

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
        work, total, already = self._plan()
        self._tracker = StatsTracker(total, already)
        assert self.run_id is not None
        self._writer = self.store.writer(on_commit=self._committed_threadsafe)
        self._emit(
            RunStarted(
                self.run_id,
                self.prepared.suite.name,
                self.model.id,
                total,
                already.get("done", 0),
                self.options.group_id,
            )
        )
        status = "completed"
        concurrency = min(self.options.concurrency, self.model.concurrency or self.options.concurrency)
        self._http = HttpClient(max_connections=concurrency)
        try:
            provider: Provider | None = make_provider(self.model, self._http)
        except BaseException:  # a model that cannot be set up: the run ends failed, not "running"
            await self._finish("failed", None)
            raise
        try:
            if not self._cancelled:
                await self._start_workers(iter(work), provider, min(concurrency, len(work)))
                await asyncio.gather(*self._workers)
        except asyncio.CancelledError:
            status = "interrupted"
            if not self._cancelled:  # cancelled from outside: clean up, then let it propagate
                await self._finish(status, provider)
                raise
        except BaseException:
            status = "failed"
            await self._finish(status, provider)
            raise
        if self._cancelled:
            status = "interrupted" if self.stop_reason is None else "failed"
        await self._finish(status, provider)
        return self.run_id

    async def _start_workers(
        self, cases: Iterator[tuple[PreparedCase, int]], provider: Provider, count: int
    ) -> None:
        """One worker per loop iteration: each one's connection is made and its first request
        sent while the next ones start. All started in one go, no request would leave before
        every worker had started (the loop handles sockets only between its rounds of ready
        tasks), which at high concurrency held the first requests back (docs/BENCHMARKS.md)."""
        try:
            for _ in range(count):
                if self._cancelled:
                    break
                self._workers.append(asyncio.create_task(self._work(cases, provider)))
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            self._cancel_workers()
            await asyncio.gather(*self._workers, return_exceptions=True)
            raise

    def _plan(self) -> tuple[list[tuple[PreparedCase, int]], int, dict[str, int]]:
        options = self.options
        epochs = options.epochs or self.prepared.suite.epochs
        selected = self.prepared.select(tags=options.tags, limit=options.limit)
        total = len(selected) * epochs
        already: dict[str, int] = {}
        finished: set[tuple[str, int]] = set()
        if self._resume:
            assert self.run_id is not None
            finished = self.store.finished_keys(self.run_id, include_errors=not options.retry_errors)
            self.store.refresh_counters(self.run_id)
            self.store.set_run_status(self.run_id, "running")
            already = _counts_of(self.store.get_run(self.run_id) or {}, options.retry_errors)
        else:
            self._tally = MetricsTally()
            for pc in selected:
                self._tally.expect(pc.case.id, pc.case.tags, pc.case.cluster)
            suite_id = self.store.save_suite(self.prepared.suite)
            self.run_id = self.store.create_run(
                suite_id=suite_id,
                model=self.model,
                total=total,
                label=options.label,
                group_id=options.group_id,
                epochs=epochs,
                options=options.started(epochs),
            )
        work = [(pc, e) for pc in selected for e in range(epochs) if (pc.case.id, e) not in finished]
        return work, total, already

    async def _finish(self, status: str, provider: Provider | None) -> None:
        assert self.run_id is not None
        run_id = self.run_id
        closing = asyncio.ensure_future(self._close_models(provider))  # sockets close meanwhile
        try:
            await asyncio.to_thread(self._writer.close)
            await asyncio.sleep(0)  # let the last on_commit callbacks run on this loop
            if self._tally is not None:  # every result of this fresh run went through _committed
                metrics = self._tally.metrics().to_dict()
            else:  # a resumed run's earlier results are only in the store

                def stored() -> dict[str, Any]:
                    return run_metrics(self.store.iter_metric_rows(run_id)).to_dict()

                metrics = await asyncio.to_thread(stored)
            self.store.finish_run(run_id, status, metrics)
            await asyncio.to_thread(self.store.checkpoint)  # the .db file alone now holds the run
        finally:
            await closing
        run = self.store.get_run(run_id) or {}
        self._emit(RunFinished(run_id, status, _public_counters(run), self.stop_reason))  # type: ignore[arg-type]

    async def _close_models(self, provider: Provider | None) -> None:
        if provider is not None:
            with contextlib.suppress(Exception):
                await provider.aclose()
        for judge in self._judges.values():
            with contextlib.suppress(Exception):
                await judge.aclose()
        if self._http is not None:
            await self._http.aclose()

    def _committed_threadsafe(self, rows: list[dict[str, Any]]) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._committed, rows)

    def _committed(self, rows: list[dict[str, Any]]) -> None:
        self._tracker.add(rows)
        if self._tally is not None:
            for row in rows:
                self._tally.add(row)
        if not self._subscribers:
            return
        for row in rows:
            self._emit(
                CaseFinished(
                    row["run_id"],
                    row["case_id"],
                    row["epoch"],
                    row["status"],
                    row["latency_ms"],
                    row["tokens_in"],
                    row["tokens_out"],
                    row["cost_usd"],
                    row["cached"],
                    row["attempts"],
                    row["error"],
                )
            )

    async def _work(self, cases: Iterator[tuple[PreparedCase, int]], provider: Provider) -> None:
        for prepared_case, epoch in cases:
            try:
                row = await self._run_case(prepared_case, epoch, provider)
            except asyncio.CancelledError:
                raise
            except RunStopped:
                return
            except Exception as exc:  # a bug must not sink the run: record it on the case
                log.exception("internal error on case %s", prepared_case.case.id)
                row = self._row(prepared_case, epoch, None, error=f"evaltui internal error: {exc!r}")
            if self.stop_reason is not None:  # this case met the stop (a judge's): asked again on resume
                return
            self._writer.put(row)

    async def _run_case(self, pc: PreparedCase, epoch: int, provider: Provider) -> dict[str, Any]:
        case = pc.case
        request = Request(
            messages=pc.messages,
            params=self.model.params,
            case_id=case.id,
            vars={"input": case.input, "expected": case.expected, "tags": case.tags, **case.vars},
        )
        completion, attempts, cached, error = await self._ask(self.model, provider, request, epoch)
        if completion is None:
            return self._row(pc, epoch, None, attempts=attempts, error=error)
        if completion.cost_usd is None:  # the cost scorer reads it: price it from the table first
            cost = self._cost(self.model, completion)
            if cost is not None:
                completion = dataclasses.replace(completion, cost_usd=cost)
        usage = JudgeUsage()
        ctx = ScoreContext(
            output=completion.text,
            expected=case.expected,
            case=case,
            completion=completion,
            prompt=pc.messages,
            suite_dir=self.prepared.suite_dir,
            judge=self._judge_for(usage),
            secrets=self._secrets,
        )
        try:
            scores = [await scorer(ctx) for scorer in pc.scorers]
        except ScorerError as exc:  # nothing was learnt about the answer: an error, not a fail
            return self._row(pc, epoch, completion, attempts=attempts, cached=cached, error=str(exc))
        passed, value = combine(scores, self.prepared.suite.pass_threshold)
        row = self._row(pc, epoch, completion, attempts=attempts, cached=cached)
        row.update(
            status="pass" if passed else "fail",
            scores=[s.as_dict() for s in scores],
            value=value,
        )
        if usage.calls:
            row["judge"] = {
                "calls": usage.calls,
                "tokens_in": usage.tokens_in,
                "tokens_out": usage.tokens_out,
                "cost_usd": usage.cost_usd,
            }
        return row

    async def _ask(
        self, spec: ModelSpec, provider: Provider, request: Request, epoch: int = 0
    ) -> tuple[Completion | None, int, bool, str | None]:
        """(completion, attempts, cached, error): from the cache, else from the model with retries."""
        calls = self._calls_for(spec)
        key = None
        if self.options.use_cache and calls.keys is not None:
            key = calls.keys.key(request, epoch)
            hit = self.store.cache_get(key)
            if hit is not None:
                try:
                    return completion_from_dict(hit), 0, True, None
                except BadValue:  # stored by an older evaltui before values were checked: ask again
                    pass
        try:
            completion, attempts = await call_with_retries(
                lambda: provider.complete(request), calls.policy, breaker=calls.breaker
            )
        except RunStopped as exc:
            self._stop(str(exc))
            raise
        except RetriesExhausted as exc:
            return None, exc.attempts, False, exc.message
        if key is not None:
            self._writer.put_cache(key, completion_to_dict(completion))
        return completion, attempts, False, None

    def _judge_for(self, usage: JudgeUsage) -> Callable[[ModelSpec, Request], Any]:
        async def judge(spec: ModelSpec, request: Request) -> Completion:
            provider = self._judges.get(spec.id)
            if provider is None:
                assert self._http is not None
                provider = self._judges[spec.id] = make_provider(spec, self._http)
            completion, _, _, error = await self._ask(spec, provider, request)
            if completion is None:
                raise ProviderError(f"judge {spec.id} could not be asked: {error}")
            usage.add(completion, self._cost(spec, completion))
            return completion

        return judge

    def _cost(self, spec: ModelSpec, completion: Completion) -> float | None:
        if completion.cost_usd is not None:
            return completion.cost_usd
        return cost_usd(self._calls_for(spec).price, completion.tokens_in, completion.tokens_out)

    def _calls_for(self, spec: ModelSpec) -> _ModelCalls:
        calls = self._calls.get(spec.id)
        if calls is None:
            calls = self._calls[spec.id] = _ModelCalls(
                RetryPolicy(max_retries=spec.max_retries, timeout_s=spec.timeout_s),
                Breaker(),
                cache_keys(spec),
                spec.price
                or price_for(spec.provider, spec.model, self.options.prices, base_url=spec.base_url),
            )
        return calls

    def _row(
        self,
        pc: PreparedCase,
        epoch: int,
        completion: Completion | None,
        *,
        attempts: int = 0,
        cached: bool = False,
        error: str | None = None,
    ) -> dict[str, Any]:
        assert self.run_id is not None
        return {
            "run_id": self.run_id,
            "case_id": pc.case.id,
            "epoch": epoch,
            "status": "error",
            "output": completion.text if completion else None,
            "prompt": pc.messages,
            "scores": [],
            "value": 0.0,
            "latency_ms": completion.latency_ms if completion else None,
            "tokens_in": completion.tokens_in if completion else None,
            "tokens_out": completion.tokens_out if completion else None,
            "cost_usd": completion.cost_usd if completion else None,
            "attempts": attempts,
            "cached": cached,
            "error": error,
            "finished_at": time.time(),
        }


def _counts_of(run: dict[str, Any], retry_errors: bool) -> dict[str, int]:
    """What a resumed run already holds (the store's counters were just refreshed)."""
    counts = {key: int(run.get(key) or 0) for key in ("passed", "failed", "errors")}
    if retry_errors:
        counts["errors"] = 0
    counts["done"] = sum(counts.values())
    return counts


def _public_counters(run: dict[str, Any]) -> dict[str, Any]:
    keys = ("total", "done", "passed", "failed", "errors", "tokens_in", "tokens_out", "cost_usd")
    return {k: run.get(k) for k in keys}


def new_group_id() -> str:
    return time.strftime("g%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def make_runners(
    store: Any,
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
    store: Any,
    prepared: PreparedSuite,
    models: list[ModelSpec],
    options: RunOptions,
    *,
    subscribers: tuple[Subscriber, ...] = (),
) -> list[str]:
    runners = make_runners(store, prepared, models, options, subscribers=subscribers)
    return list(await asyncio.gather(*(runner.run() for runner in runners)))
