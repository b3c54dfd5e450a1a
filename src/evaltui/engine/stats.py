"""Live counters of a running run, updated as results are committed and read by displays
on a timer (coalesced): a snapshot is cheap and safe to take from any thread.

The rate (and so the ETA) is over the last RATE_WINDOW_S seconds, not the whole session: when the
server starts rate-limiting or goes away and cases spend seconds backing off, the ETA says so
within the window instead of promising the pace of the fast start."""

from __future__ import annotations

import threading
import time
from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from evaltui.analysis.metrics import fresh_latency, spent
from evaltui.analysis.stats import Spread, spread_of_array
from evaltui.records import Result

RATE_WINDOW_S = 30.0
_COUNTED = {"pass": "passed", "fail": "failed", "error": "errors"}  # a result's status -> its counter
SPREAD_EXACT_UNDER = 10_000
SPREAD_GROWTH = 1.01


@dataclass(frozen=True, slots=True)
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
        already: dict[str, int] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._total = total
        self._counts = {"done": 0, "passed": 0, "failed": 0, "errors": 0, "cached": 0}
        for key, value in (already or {}).items():
            self._counts[key] = value
        self._session_done = 0
        self._tokens_in = 0
        self._tokens_out = 0
        self._cost: float | None = None
        self._latencies: array[float] = array("d")
        self._spread: tuple[int, Spread] | None = None  # (latencies it was taken over, spread)
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
                latency = fresh_latency(result)
                if latency is not None:
                    self._latencies.append(latency)
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

    def _latencies_to_sort(self) -> array[float] | None:
        """A copy of the latencies when the percentiles are due again, else None (the caller holds
        the lock). Sorting every latency for each snapshot (ten a second) cost a large run more
        than its cases: past SPREAD_EXACT_UNDER answers the percentiles are taken again once the
        answers have grown by SPREAD_GROWTH, so they lag the true ones by at most that share."""
        n = len(self._latencies)
        if self._spread is None or n < SPREAD_EXACT_UNDER or n >= self._spread[0] * SPREAD_GROWTH:
            return array("d", self._latencies)
        return None

    def snapshot(self) -> LiveStats:
        with self._lock:
            latencies = self._latencies_to_sort()
            counts = dict(self._counts)
            tokens = (self._tokens_in, self._tokens_out)
            cost = self._cost
            now = self._clock()
            rate = self._recent_rate(now)
        if latencies is not None:
            self._spread = (len(latencies), spread_of_array(latencies))
        assert self._spread is not None
        spread = self._spread[1]
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
            p50_ms=spread.p50,
            p95_ms=spread.p95,
            rate=rate,
            eta_s=left / rate if rate > 0 else None,
            elapsed_s=elapsed,
        )
