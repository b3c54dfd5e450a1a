"""Live counters of a running run, updated as results are committed and read by displays
on a timer (coalesced): a snapshot is cheap and safe to take from any thread.

The rate (and so the ETA) is over the last RATE_WINDOW_S seconds, not the whole session: when the
server starts rate-limiting or goes away and cases spend seconds backing off, the ETA says so
within the window instead of promising the pace of the fast start.

The latency percentiles are exact while the session has answered fewer than SPREAD_EXACT_UNDER
cases; past that the latencies are only counted in buckets (analysis.histogram), so memory does
not grow with the run, and the percentiles are within half a bucket (under 0.4%) of the true ones
and say so (`latency_exact` False: the displays mark them approximate). The run's stored metrics
are exact either way."""

from __future__ import annotations

import threading
import time
from array import array
from collections import deque
from collections.abc import Callable

from evaltui.analysis.histogram import Histogram
from evaltui.analysis.metrics import fresh_latency, spent
from evaltui.analysis.stats import spread_of_sorted
from evaltui.recordclass import record
from evaltui.records import HeldResults, Result

RATE_WINDOW_S = 30.0
_COUNTED = {"pass": "passed", "fail": "failed", "error": "errors"}  # a result's status -> its counter
SPREAD_EXACT_UNDER = 10_000


@record(frozen=True, slots=True)
class LiveStats:
    total: int = 0
    done: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    cached: int = 0
    tokens_in: int = 0  # tokens and cost spent in this run (`spent`): cached answers count 0
    tokens_out: int = 0
    cost_usd: float | None = None  # None while no cost is known
    p50_ms: float | None = None
    p95_ms: float | None = None
    latency_exact: bool = True  # False: p50/p95 from counts in buckets, within 0.4% (module docstring)
    rate: float = 0.0  # results per second over the last RATE_WINDOW_S (or the session, if younger)
    eta_s: float | None = None
    elapsed_s: float = 0.0
    concurrency: int | None = None  # requests the model's endpoint takes in flight now (adaptive)
    waiting_s: float = 0.0  # left of a pause the endpoint asked for (rate-limited), 0: none
    rate_limited: int = 0  # answers that said "too many requests" this session

    @property
    def pass_rate(self) -> float | None:
        scored = self.passed + self.failed
        return self.passed / scored if scored else None


class StatsTracker:
    def __init__(
        self,
        total: int,
        already: HeldResults | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._total = total
        held = already or HeldResults()  # a resumed run's figures start from what it holds
        self._counts = {
            "done": held.done,
            "passed": held.passed,
            "failed": held.failed,
            "errors": held.errors,
            "cached": held.cached,
        }
        self._session_done = 0
        self._tokens_in = held.tokens_in
        self._tokens_out = held.tokens_out
        self._cost: float | None = held.cost_usd
        self._unpriced = False  # an answer asked in this run has no price: the cost is unknown
        # each latency while they are few; then they are counted, SPREAD_EXACT_UNDER at a time
        self._latencies: array[float] = array("d")
        # the kept latencies as of the last snapshot, in order: the next one sorts only those added
        # since and merges them in (a snapshot every tenth of a second would else sort them all)
        self._ordered: list[float] = []
        self._counted: Histogram | None = None
        self._clock = clock
        self._started = clock()
        # (time, results this session) after each commit; the first is the one at or before the
        # window's start, the reference the rate is measured from
        self._marks: deque[tuple[float, int]] = deque([(self._started, 0)])

    def add(self, results: list[Result]) -> None:
        with self._lock:
            for result in results:
                self._counts["done"] += 1
                self._session_done += 1
                self._counts[_COUNTED[result.status]] += 1
                self._counts["cached"] += result.cached
                tokens_in, tokens_out, cost = spent(result)
                self._tokens_in += tokens_in
                self._tokens_out += tokens_out
                if cost is not None:
                    self._cost = (self._cost or 0.0) + cost
                elif result.status != "error":  # as the run's end counts it (analysis.metrics)
                    self._unpriced = True
                latency = fresh_latency(result)
                if latency is not None:
                    self._keep_latency(latency)
            now = self._clock()
            self._marks.append((now, self._session_done))
            self._trim(now)

    def _trim(self, now: float) -> None:
        """Keep the marks inside the window and the one before it (the caller holds the lock)."""
        marks = self._marks
        while len(marks) > 1 and marks[1][0] <= now - RATE_WINDOW_S:
            marks.popleft()

    def _recent_rate(self, now: float) -> float:
        """Results a second since the window's start (the caller holds the lock)."""
        self._trim(now)
        since, done_then = self._marks[0]
        return (self._session_done - done_then) / (now - since) if now > since else 0.0

    def _keep_latency(self, latency: float) -> None:
        """Keep a latency; count those kept once they are many (the caller holds the lock)."""
        latencies = self._latencies
        latencies.append(latency)
        if len(latencies) >= SPREAD_EXACT_UNDER:
            self._count_kept()

    def _count_kept(self) -> Histogram:
        if self._counted is None:
            self._counted = Histogram()
        self._counted.add_all(self._latencies)
        self._latencies = array("d")
        self._ordered = []
        return self._counted

    def _percentiles(self) -> tuple[list[float] | None, float | None, float | None]:
        """(the latencies in order, while every one is kept; else the approximate p50, p95). The
        caller holds the lock. The list returned is never changed: a later snapshot makes a new one."""
        if self._counted is None:
            ordered, kept = self._ordered, self._latencies
            if len(ordered) < len(kept):
                ordered = ordered + sorted(kept[len(ordered) :])
                ordered.sort()  # two runs in order: one merge, not a sort of them all
                self._ordered = ordered
            return ordered, None, None
        counted = self._count_kept()
        return None, counted.approximate(50), counted.approximate(95)

    def snapshot(self) -> LiveStats:
        with self._lock:
            latencies, p50, p95 = self._percentiles()
            counts = dict(self._counts)
            tokens = (self._tokens_in, self._tokens_out)
            cost = None if self._unpriced else self._cost
            now = self._clock()
            rate = self._recent_rate(now)
        if latencies is not None:
            spread = spread_of_sorted(latencies)
            p50, p95 = spread.p50, spread.p95
        elapsed = now - self._started
        left = max(self._total - counts["done"], 0)
        return LiveStats(
            total=self._total,
            done=counts["done"],
            passed=counts["passed"],
            failed=counts["failed"],
            errors=counts["errors"],
            cached=counts["cached"],
            tokens_in=tokens[0],
            tokens_out=tokens[1],
            cost_usd=cost,
            p50_ms=p50,
            p95_ms=p95,
            latency_exact=latencies is not None,
            rate=rate,
            eta_s=left / rate if rate > 0 else None,
            elapsed_s=elapsed,
        )
