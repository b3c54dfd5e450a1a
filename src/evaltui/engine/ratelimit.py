"""Adaptive concurrency per endpoint (a host and a model), so a rate-limited API is asked as fast as
it answers and no faster.

Every request of a run to one endpoint goes through its `Endpoint`:
- at most `concurrency` requests in flight. It starts at the ceiling (the run's `--concurrency`).
  An answer that says "too many requests" (429, Anthropic's 529) lowers it, once for all the
  requests sent since the last lowering (they went into the same empty bucket): the first time by
  half (nothing is known yet), then to what the server let through since the last refusal times
  the round trip, a fifth more (`_learnt`). Answers to requests sent since then raise it by
  GROWTH_PER_S, a twentieth a second (the bucket then runs dry every few seconds whatever its
  rate), and after QUIET_S without a refusal by one request a round trip (additive increase,
  multiplicative decrease, as TCP finds a link's capacity, with the decrease learnt);
- a `Retry-After` (seconds or an HTTP date) pauses the whole endpoint, not only the request that
  got it: every other request would be refused the same way. Without one, a rate-limited answer
  pauses the endpoint QUIET_PAUSE_S, doubling while answers keep being refused;
- the servers' rate-limit headers (providers/ratelimits.py): no request left, or fewer tokens than
  a request needs, pauses the endpoint until the server says enough is back;
- a model spec's `rpm` and `tpm`, applied before the server has to say no: requests and tokens are
  spent from client-side buckets refilling evenly (a second's worth at most, so never a burst).
  Tokens are estimated before the request (prompt characters / 4, plus `max_tokens`) and the
  estimate corrected by the usage the answer reports.

A rate-limited request does not use up its retries (engine/retry.py): it waits its turn again, for
as long as the endpoint answers other requests; STALL_S without any answer gives it up.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable

from evaltui.providers.base import Completion, Request
from evaltui.providers.ratelimits import RateLimits

DECREASE = 0.5  # concurrency kept after the first rate-limited answer (nothing learnt yet)
INCREASE = 1.0  # concurrency added a round trip while no request has been refused for QUIET_S
GROWTH_PER_S = 0.05  # while refusals are recent: a twentieth more a second, whatever the concurrency
QUIET_S = 10.0
OVERASK = 1.2  # after a refusal, ask this much above the rate the server let through (see `_learnt`)
QUIET_PAUSE_S = 0.25  # the first pause after a rate-limited answer that said not how long to wait
QUIET_PAUSE_CAP_S = 8.0
STALL_S = 300.0  # rate-limited this long with no answer from the endpoint: the case is given up
RATE_LIMITED_STATUSES = frozenset({429, 529})


class Bucket:
    """A client-side limit of `per_s` a second (a spec's rpm or tpm, over 60). It holds at most a
    second's worth and may go into debt by one request's need larger than that."""

    def __init__(self, per_s: float, now: float) -> None:
        self.per_s = per_s
        self.capacity = max(per_s, 1.0)
        self.level = self.capacity
        self._at = now

    def wait_s(self, need: float, now: float) -> float:
        self.level = min(self.capacity, self.level + (now - self._at) * self.per_s)
        self._at = now
        short = min(need, self.capacity) - self.level
        return short / self.per_s if short > 0 else 0.0

    def spend(self, amount: float) -> None:
        self.level = min(self.capacity, self.level - amount)


def estimate_tokens(request: Request) -> int:
    """Tokens a request will count against a tokens-per-minute limit, before it is sent: about four
    characters a token of the prompt, plus the most it may answer (`max_tokens`) when set."""
    chars = sum(len(str(message.get("content") or "")) for message in request.messages)
    out = request.params.get("max_tokens") or request.params.get("max_completion_tokens") or 0
    return chars // 4 + (out if isinstance(out, int) else 0)


class Endpoint:
    """One endpoint's adaptive limits; see the module docstring. All of its methods run on the
    run's event loop; `concurrency`, `waiting_s` and `rate_limited` may be read from any thread."""

    def __init__(
        self,
        name: str,
        ceiling: int,
        *,
        rpm: float | None = None,
        tpm: float | None = None,
        max_pause_s: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.max_pause_s = max_pause_s  # a longer pause asked for is not waited: the case gives up
        self.ceiling = max(1, ceiling)
        self.limit = float(self.ceiling)
        self.in_flight = 0
        self.paused_until = 0.0
        self.rate_limited = 0  # answers that said "too many requests"
        self.last_answer = clock()  # when the endpoint last answered (not rate-limited)
        self._clock = clock
        self._decreased_at = -math.inf
        self._answered_since = 0  # answers since the last refusal
        self._latency_s: float | None = None  # a moving average of the answers' round trips
        self._quiet_pauses = 0  # rate-limited answers in a row that said not how long to wait
        self._waiters: deque[asyncio.Future[None]] = deque()
        now = clock()
        self._requests = Bucket(rpm / 60, now) if rpm else None
        self._tokens = Bucket(tpm / 60, now) if tpm else None

    @property
    def concurrency(self) -> int:
        return math.ceil(self.limit)

    def waiting_s(self) -> float:
        """Seconds left of a pause the endpoint asked for (0: none)."""
        return max(0.0, self.paused_until - self._clock())

    def stalled(self, since: float) -> bool:
        """Nothing answered (other than "too many requests") for STALL_S, since `since` at least."""
        return self._clock() - max(self.last_answer, since) > STALL_S

    def take(self, tokens: int = 0) -> float | None:
        """`acquire` when it need not wait (no pause, a slot free, nobody waiting for one): the
        slot is taken and the start returned at once. Else None: `await acquire(tokens)`."""
        now = self._clock()
        # in_flight is whole: below ceil(limit) exactly when below limit (no ceil to take)
        if self._waiters or self.in_flight >= self.limit:
            return None
        if self._requests is None and self._tokens is None:  # no rpm/tpm: only a pause can hold it
            if self.paused_until > now:
                return None
            self.in_flight += 1
            return now
        if self._wait_s(now, tokens) > 0:
            return None
        self._took(tokens)
        return now

    async def acquire(self, tokens: int = 0) -> float:
        """Wait for this endpoint's turn, then take a slot; returns when the request starts (the
        clock's time), for `answered` and `limited`. Every acquire is followed by one of
        `answered`, `limited` or `release`."""
        woken = False
        while True:
            now = self._clock()
            wait = self._wait_s(now, tokens)
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            if self.in_flight < self.concurrency and (woken or not self._waiters):
                break
            waiter = asyncio.get_running_loop().create_future()
            if woken:
                self._waiters.appendleft(waiter)  # it had its turn: keep its place
            else:
                self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if not waiter.cancelled() and waiter.done():
                    self._wake()  # it was given a turn it will not take: pass it on
                elif waiter in self._waiters:
                    self._waiters.remove(waiter)
                raise
            woken = True
        self._took(tokens)
        return now

    def _took(self, tokens: int) -> None:
        self.in_flight += 1
        if self._requests is not None:
            self._requests.spend(1)
        if self._tokens is not None:
            self._tokens.spend(tokens)

    def _wait_s(self, now: float, tokens: int) -> float:
        wait = self.paused_until - now
        if self._requests is not None:
            wait = max(wait, self._requests.wait_s(1, now))
        if self._tokens is not None and tokens:
            wait = max(wait, self._tokens.wait_s(tokens, now))
        return wait

    def answered(self, started: float, completion: Completion, tokens: int = 0) -> None:
        """A request started at `started` got an answer."""
        self.in_flight -= 1
        now = self._clock()
        since_last, self.last_answer = now - self.last_answer, now
        self._answered_since += 1
        took = now - started
        self._latency_s = (
            took if self._latency_s is None else self._latency_s + 0.1 * (took - self._latency_s)
        )
        if started >= self._decreased_at:  # sent since the last refusal: the pause was long enough
            self._quiet_pauses = 0
            if self.limit < self.ceiling:
                if now - self._decreased_at > QUIET_S:  # the limit may be gone: probe as TCP does
                    grown = self.limit + INCREASE / self.limit
                else:  # near the rate just learnt: creep up, as slowly at 2 as at 200
                    grown = self.limit * (1 + GROWTH_PER_S * min(since_last, 1.0))
                self.limit = min(float(self.ceiling), grown)
        if self._tokens is not None and completion.tokens_in is not None:
            used = completion.tokens_in + (completion.tokens_out or 0)
            self._tokens.spend(used - tokens)  # the estimate, corrected
        if completion.rate_limits is not None:
            self._heed(completion.rate_limits, now)
        self._wake()

    def limited(self, started: float, retry_after: float | None, rate_limits: RateLimits | None) -> None:
        """A request started at `started` was refused as too many (or the server is overloaded).
        Only the first refusal of the requests sent since the last one halves the concurrency and
        starts a pause of its own: the others were sent into the same empty bucket."""
        self.in_flight -= 1
        self.rate_limited += 1
        now = self._clock()
        if retry_after is None and rate_limits is not None:
            retry_after = _wait_of(rate_limits)
        if retry_after is not None and retry_after > self.max_pause_s:
            retry_after = None  # the request that got it gives up (engine/retry.py); the others go on
        if started >= self._decreased_at:
            self.limit = self._learnt(now)
            self._decreased_at = now
            self._answered_since = 0
            if retry_after is None:
                retry_after = min(QUIET_PAUSE_CAP_S, QUIET_PAUSE_S * 2**self._quiet_pauses)
                self._quiet_pauses += 1
        if retry_after is not None:
            self.paused_until = max(self.paused_until, now + retry_after)
        self._wake()

    def _learnt(self, now: float) -> float:
        """The concurrency after a refusal. From the second refusal on, what the server let through
        since the one before (a token bucket, empty at both, let through just its rate) times the
        round trip is the concurrency that asks at the server's own rate; a fifth more (OVERASK)
        uses up what the bucket saved during the pause before the next refusal, some seconds later,
        instead of leaving it full. Never more than 0.9 of the concurrency that was refused; halved
        while nothing is known."""
        if self._decreased_at == -math.inf or self._latency_s is None or now <= self._decreased_at:
            return max(1.0, self.limit * DECREASE)
        rate = self._answered_since / (now - self._decreased_at)
        return max(1.0, min(self.limit * 0.9, rate * self._latency_s * OVERASK))

    def paused(self, retry_after: float) -> None:
        """The server asked for a pause (a Retry-After on another error): the whole endpoint waits."""
        if retry_after <= self.max_pause_s:
            self.paused_until = max(self.paused_until, self._clock() + retry_after)

    def release(self) -> None:
        """A request ended without an answer that tells anything about the limits."""
        self.in_flight -= 1
        self._wake()

    def _heed(self, rate_limits: RateLimits, now: float) -> None:
        wait = _wait_of(rate_limits)
        if wait and wait <= self.max_pause_s:
            self.paused_until = max(self.paused_until, now + wait)

    def _wake(self) -> None:
        if not self._waiters:  # most answers: nobody waits for the slot
            return
        free = self.concurrency - self.in_flight
        while free > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1


def _wait_of(rate_limits: RateLimits) -> float | None:
    """How long the server's rate-limit headers say to wait before the next request: for requests,
    until one is back (the limit refills evenly over its reset time); for tokens, whose need per
    request is not known here, until the reset, when none are left."""
    waits = []
    requests, tokens = rate_limits.requests, rate_limits.tokens
    if requests is not None and (wait := requests.wait_s()) is not None:
        waits.append(wait)
    if tokens is not None and tokens.remaining == 0 and tokens.reset_s is not None:
        waits.append(tokens.reset_s)
    return max(waits) if waits else None
