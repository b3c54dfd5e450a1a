"""Retries with exponential backoff and full jitter, honouring the server's Retry-After, and the
circuit breaker that stops a run which cannot succeed.

Only `ProviderError(retryable=True)` and timeouts are retried; everything else is final at once.
Each attempt is timed out after the policy's `timeout_s` (`Deadlines`: one timer for all of a run's
attempts).
A Retry-After longer than `max_retry_after_s` (120 s) ends the case at once, saying so: a server
that asks for a day's pause will not answer this run. Asked through an endpoint limiter
(engine/ratelimit.py, as every model of a run is), a 429 does not use up a retry: the request waits
the endpoint's turn again, for as long as the endpoint answers other requests; a Retry-After on any
error pauses the whole endpoint instead of this request alone.

The breaker (one per model of a run) watches every attempt:
- a refused key (401/403, `kind="auth"`) stops the run at the first answer: every request would
  get the same;
- an endpoint that cannot be reached (connection refused, DNS, TLS: `kind="unreachable"`) stops
  the run once `failures` attempts in a row have failed over at least `window_s` seconds; any
  answer from the endpoint (even a 429 or 5xx) starts the count again. Until then an unreachable
  attempt is retried whatever `max_retries` says, backing off at most a few seconds: a case never
  ends an error because its server was down for a moment, and a dead server stops the run within
  seconds (its unasked cases stay for `--resume`).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TypeVar

from evaltui.engine.ratelimit import RATE_LIMITED_STATUSES, STALL_S, Endpoint
from evaltui.errors import ProviderError, RunStopped
from evaltui.providers.base import Completion
from evaltui.recordclass import record

T = TypeVar("T")
_JITTER = random.Random()  # one generator: seeding a new one per call costs more than the request

MAX_RETRY_AFTER_S = 120.0  # the longest Retry-After honoured; a longer one gives the case up
BREAKER_FAILURES = 8  # unreachable attempts in a row ...
BREAKER_WINDOW_S = 10.0  # ... over at least this long stop the run
UNREACHABLE_BACKOFF_CAP_S = 2.0  # the longest wait before asking an unreachable endpoint again
UNREACHABLE_ATTEMPTS = 100  # a case's bound, for an endpoint that comes and goes without end


@record(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 4
    base_s: float = 0.5
    cap_s: float = 30.0
    timeout_s: float = 60.0
    max_retry_after_s: float = MAX_RETRY_AFTER_S

    def delay(
        self, attempt: int, retry_after: float | None, rng: random.Random, *, cap_s: float | None = None
    ) -> float:
        """Seconds to wait before attempt `attempt + 1` (attempt counts from 1)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after_s)
        ceiling = self.cap_s if cap_s is None else min(cap_s, self.cap_s)
        return rng.uniform(0, min(ceiling, self.base_s * 2 ** min(attempt - 1, 30)))


class RetriesExhausted(ProviderError):
    """The last error after every attempt was spent; carries how many attempts were made."""

    def __init__(self, last: ProviderError, attempts: int, *, why: str = "") -> None:
        super().__init__(last.message + why, retryable=False, status=last.status)
        self.attempts = attempts


class Breaker:
    """Counts one model's unreachable attempts in a row, across all its cases; see the module
    docstring. `check` each failed attempt, call `answered` on each answer."""

    def __init__(
        self,
        *,
        failures: int = BREAKER_FAILURES,
        window_s: float = BREAKER_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = failures
        self.window_s = window_s
        self._clock = clock
        self._count = 0
        self._since = 0.0

    def answered(self) -> None:
        self._count = 0

    def check(self, error: ProviderError) -> None:
        """Raises RunStopped when this failed attempt shows the run cannot succeed."""
        where = error.endpoint or "the model endpoint"
        if error.kind == "auth":
            raise RunStopped(
                f"{where} refused the request ({error.message}); every request would be refused the "
                "same way: check the API key and its variable"
            )
        if error.kind != "unreachable":
            self.answered()  # the endpoint was reached, if not well
            return
        now = self._clock()
        if self._count == 0:
            self._since = now
        self._count += 1
        spent = now - self._since
        if self._count >= self.failures and spent >= self.window_s:
            raise RunStopped(
                f"{where} cannot be reached: {self._count} requests in a row failed over {spent:.0f} s; "
                f"the last: {error.message}"
            )


class Deadlines:
    """Times attempts out, as `asyncio.timeout` does, with one loop timer for all of them instead of
    one each: `asyncio.timeout` makes and cancels a timer for every attempt (on uvloop a libuv
    handle, opened and closed), one of the larger costs of asking in a run's profile. Here each
    attempt puts its deadline on a heap; one timer, set for the earliest deadline still running,
    cancels the attempts whose time is up. Such an attempt raises TimeoutError, and a cancellation
    from outside still propagates, as with `asyncio.timeout` (the same `uncancel` rule). One per
    run (the Asker's), used on that run's event loop.

        with deadlines.scope(timeout_s):
            result = await call()
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Attempt]] = []  # (deadline, order, attempt)
        self._order = itertools.count()
        self._running = 0  # attempts entered and not yet exited
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    def scope(self, timeout_s: float) -> _Attempt:
        return _Attempt(self, timeout_s)

    def close(self) -> None:
        """Cancel the timer and forget the deadlines (done when no attempt is running)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer, self._timer_at = None, math.inf
        self._heap.clear()

    def _enter(self, attempt: _Attempt, loop: asyncio.AbstractEventLoop, when: float) -> None:
        heap = self._heap
        heapq.heappush(heap, (when, next(self._order), attempt))
        self._running += 1
        if when < self._timer_at:
            self._arm(loop, when)
        elif len(heap) > 2 * self._running + 64:  # drop the attempts that ended in time
            self._heap = [entry for entry in heap if not entry[2].exited]
            heapq.heapify(self._heap)

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(when, self._expire, loop)
        self._timer_at = when

    def _expire(self, loop: asyncio.AbstractEventLoop) -> None:
        due = max(self._timer_at, loop.time())  # the loop may run a timer a hair early
        self._timer, self._timer_at = None, math.inf
        heap = self._heap
        while heap:
            when, _, attempt = heap[0]
            if not attempt.exited and when > due:
                self._arm(loop, when)
                return
            heapq.heappop(heap)
            if not attempt.exited:
                attempt.expire()


class _Attempt:
    """One attempt's deadline: a context manager, entered and exited in the attempt's task."""

    __slots__ = ("_cancelling", "_deadlines", "_task", "_timeout_s", "exited", "expired")

    def __init__(self, deadlines: Deadlines, timeout_s: float) -> None:
        self._deadlines = deadlines
        self._timeout_s = timeout_s
        self._task: asyncio.Task[object] | None = None
        self._cancelling = 0
        self.expired = False
        self.exited = False

    def __enter__(self) -> _Attempt:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a deadline is used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        loop = task.get_loop()
        self._deadlines._enter(self, loop, loop.time() + self._timeout_s)
        return self

    def expire(self) -> None:
        assert self._task is not None
        self.expired = True
        self._task.cancel()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.exited = True
        deadlines = self._deadlines
        deadlines._running -= 1
        if not deadlines._running:  # nothing left to time: no timer left behind, nothing kept
            deadlines.close()
        if not self.expired:  # nearly every attempt: its deadline never came
            return
        assert self._task is not None
        # as asyncio.timeout: our cancellation, and no other asked for since, becomes TimeoutError
        if self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError from exc


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    breaker: Breaker | None = None,
    endpoint: Endpoint | None = None,
    tokens: int = 0,
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    deadlines: Deadlines | None = None,
) -> tuple[T, int]:
    """Run `call` until it succeeds or the policy gives up. Returns (result, attempts).

    With an `endpoint` (engine/ratelimit.py), each attempt waits for the endpoint's turn first
    (`tokens`: what the request is estimated to spend), and tells it how the attempt went; an
    attempt refused as too many requests (429) is then not counted against `max_retries`.

    Each attempt is timed out after `policy.timeout_s` through `deadlines` (a run's shared
    `Deadlines`; without one, a `Deadlines` of this call's own).

    Raises `RetriesExhausted` (a ProviderError) with the last reason and the attempt count, or
    `RunStopped` when the breaker decides the run cannot succeed.
    """
    rng = rng or _JITTER
    deadlines = deadlines or Deadlines()
    attempt = 0
    free = 0  # attempts refused as too many requests: they do not count against max_retries
    since = time.monotonic()
    while True:
        started = 0.0
        if endpoint is not None:
            taken = endpoint.take(tokens)  # most attempts find a slot free: no wait, no coroutine
            started = taken if taken is not None else await endpoint.acquire(tokens)
        attempt += 1
        error: ProviderError | None = None
        try:
            with _Attempt(deadlines, policy.timeout_s):
                result = await call()
        except TimeoutError:  # tells the breaker nothing: the server may be slow, or black-holed
            error = ProviderError(f"timed out after {policy.timeout_s:g} s", retryable=True)
        except ProviderError as exc:
            error = exc
        except BaseException:  # cancelled, or a bug: the slot back, nothing learnt
            if endpoint is not None:
                endpoint.release()
            raise
        if endpoint is not None:
            _tell(endpoint, started, result if error is None else None, error, tokens)
        if error is None:
            if breaker is not None:
                breaker.answered()
            return result, attempt
        if breaker is not None:
            breaker.check(error)
        if breaker is not None and error.kind == "unreachable" and attempt < UNREACHABLE_ATTEMPTS:
            await sleep(policy.delay(attempt, None, rng, cap_s=UNREACHABLE_BACKOFF_CAP_S))
            continue  # until the endpoint answers or the breaker stops the run
        too_long = error.retry_after is not None and error.retry_after > policy.max_retry_after_s
        if endpoint is not None and error.status == 429 and not too_long:
            if endpoint.stalled(since):
                why = f" (rate-limited with no answer from the endpoint for {STALL_S:g} s)"
                raise RetriesExhausted(error, attempt, why=why) from error
            free += 1
            continue  # the endpoint holds the next attempt back as long as it must
        if not error.retryable or attempt - free > policy.max_retries:
            raise RetriesExhausted(error, attempt) from error
        if too_long:
            why = (
                f" (the server's Retry-After {error.retry_after:g} s is longer than the "
                f"{policy.max_retry_after_s:g} s evaltui waits: the case is given up)"
            )
            raise RetriesExhausted(error, attempt, why=why) from error
        if endpoint is not None and (error.retry_after is not None or error.status in RATE_LIMITED_STATUSES):
            continue  # the whole endpoint waits out the pause the server asked for
        await sleep(policy.delay(attempt - free, error.retry_after, rng))


def _tell(
    endpoint: Endpoint, started: float, result: object, error: ProviderError | None, tokens: int
) -> None:
    """How an attempt went, for the endpoint's limits (and its slot back)."""
    if error is None and isinstance(result, Completion):
        endpoint.answered(started, result, tokens)
    elif error is not None and error.status in RATE_LIMITED_STATUSES:
        endpoint.limited(started, error.retry_after, error.rate_limits)
    else:
        if error is not None and error.retry_after is not None:
            endpoint.paused(error.retry_after)
        endpoint.release()
