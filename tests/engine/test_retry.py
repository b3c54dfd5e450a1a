"""Retry policy: what is retried, how long it waits, and what it reports when it gives up."""

from __future__ import annotations

import asyncio
import random

import pytest

from evaltui.engine.retry import (
    MAX_RETRY_AFTER_S,
    UNREACHABLE_BACKOFF_CAP_S,
    Breaker,
    RetriesExhausted,
    RetryPolicy,
    call_with_retries,
)
from evaltui.errors import ProviderError, RunStopped


class Script:
    """A call that fails with the given errors in turn, then answers "ok"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_retryable_errors_are_retried_until_success_and_attempts_counted() -> None:
    call = Script(ProviderError("busy", retryable=True), ProviderError("busy", retryable=True))
    sleeps = Sleeps()
    result, attempts = await call_with_retries(call, RetryPolicy(max_retries=4), sleep=sleeps)
    assert (result, attempts, call.calls) == ("ok", 3, 3)
    assert len(sleeps.waits) == 2


async def test_retry_after_from_the_server_is_the_wait() -> None:
    sleeps = Sleeps()
    call = Script(ProviderError("429", retryable=True, status=429, retry_after=7.5))
    await call_with_retries(call, RetryPolicy(), sleep=sleeps)
    assert sleeps.waits == [7.5]


async def test_backoff_grows_exponentially_within_jittered_bounds() -> None:
    policy = RetryPolicy(base_s=1.0, cap_s=30.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (6, 30.0), (10, 30.0)]:
        waits = [policy.delay(attempt, None, rng) for _ in range(200)]
        assert all(0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8  # full jitter spans the whole window


async def test_non_retryable_error_is_final_after_one_attempt() -> None:
    call = Script(ProviderError("401 bad key", retryable=False, status=401))
    with pytest.raises(RetriesExhausted) as info:
        await call_with_retries(call, RetryPolicy(max_retries=5), sleep=Sleeps())
    assert info.value.attempts == 1 and call.calls == 1
    assert "401 bad key" in info.value.message


async def test_gives_up_after_max_retries_with_the_last_reason() -> None:
    errors = [ProviderError(f"500 number {i}", retryable=True, status=500) for i in range(10)]
    call = Script(*errors)
    with pytest.raises(RetriesExhausted) as info:
        await call_with_retries(call, RetryPolicy(max_retries=2), sleep=Sleeps())
    assert info.value.attempts == 3
    assert "500 number 2" in info.value.message


async def test_a_hanging_call_times_out_and_is_retried() -> None:
    class Hangs:
        calls = 0

        async def __call__(self) -> str:
            self.calls += 1
            if self.calls == 1:
                await asyncio.sleep(3600)
            return "late but fine"

    call = Hangs()
    result, attempts = await call_with_retries(call, RetryPolicy(timeout_s=0.05), sleep=Sleeps())
    assert (result, attempts) == ("late but fine", 2)


# -- Retry-After past the limit ----------------------------------------------------------------


async def test_a_retry_after_within_the_limit_is_waited_in_full() -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(max_retry_after_s=120)
    call = Script(ProviderError("429", retryable=True, status=429, retry_after=120))
    assert await call_with_retries(call, policy, sleep=sleeps) == ("ok", 2)
    assert sleeps.waits == [120]


async def test_a_retry_after_past_the_limit_gives_the_case_up_at_once_saying_why() -> None:
    sleeps = Sleeps()
    call = Script(ProviderError("HTTP 429: slow down", retryable=True, status=429, retry_after=100000))
    with pytest.raises(RetriesExhausted) as info:
        await call_with_retries(call, RetryPolicy(max_retries=4), sleep=sleeps)
    assert sleeps.waits == [] and info.value.attempts == 1 and call.calls == 1
    assert "HTTP 429: slow down" in info.value.message
    assert f"Retry-After 100000 s is longer than the {MAX_RETRY_AFTER_S:g} s" in info.value.message


# -- the circuit breaker ------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refused(endpoint: str = "127.0.0.1:8000") -> ProviderError:
    return ProviderError(
        f"m at http://{endpoint}/v1: cannot connect: Connection refused",
        retryable=True,
        kind="unreachable",
        endpoint=endpoint,
    )


def test_the_breaker_trips_on_a_run_of_unreachable_attempts_spanning_its_window() -> None:
    clock = Clock()
    breaker = Breaker(failures=8, window_s=10, clock=clock)
    for _ in range(20):  # many failures at once (a pool of workers) are not yet a dead endpoint
        breaker.check(refused())
    clock.now += 9.9
    breaker.check(refused())
    clock.now += 0.2
    with pytest.raises(RunStopped) as info:
        breaker.check(refused())
    reason = str(info.value)
    assert "127.0.0.1:8000 cannot be reached" in reason and "Connection refused" in reason
    assert "22 requests in a row" in reason


def test_any_answer_from_the_endpoint_starts_the_count_again() -> None:
    clock = Clock()
    breaker = Breaker(failures=3, window_s=10, clock=clock)
    for _ in range(5):
        breaker.check(refused())
    clock.now += 9
    breaker.answered()  # the server is back
    clock.now += 5
    for _ in range(2):
        breaker.check(refused())
    breaker.check(ProviderError("HTTP 503", retryable=True, status=503))  # an answer, if not a good one
    clock.now += 20
    breaker.check(refused())  # the new run of failures starts here, not before the answers
    clock.now += 11
    breaker.check(refused())
    with pytest.raises(RunStopped):
        breaker.check(refused())


def test_the_breaker_stops_at_the_first_refused_key() -> None:
    breaker = Breaker()
    error = ProviderError(
        "m at http://h:443/v1: HTTP 401: bad key", status=401, kind="auth", endpoint="h:443"
    )
    with pytest.raises(RunStopped) as info:
        breaker.check(error)
    assert "h:443 refused the request" in str(info.value) and "HTTP 401: bad key" in str(info.value)


async def test_unreachable_attempts_go_on_past_max_retries_until_the_breaker_decides() -> None:
    """A case never ends an error because its endpoint is down: it waits (backing off, a few seconds
    at most between attempts) until the endpoint answers or the breaker stops the run."""
    sleeps = Sleeps()
    call = Script(*[refused() for _ in range(12)])
    result, attempts = await call_with_retries(
        call, RetryPolicy(max_retries=2), breaker=Breaker(), sleep=sleeps
    )
    assert (result, attempts) == ("ok", 13)
    assert max(sleeps.waits) <= UNREACHABLE_BACKOFF_CAP_S


async def test_a_tripped_breaker_ends_the_call_with_the_stop_not_an_exhausted_retry() -> None:
    clock = Clock()
    breaker = Breaker(failures=2, window_s=5, clock=clock)

    async def sleep(seconds: float) -> None:
        clock.now += seconds + 1

    with pytest.raises(RunStopped):
        await call_with_retries(
            Script(*[refused() for _ in range(50)]), RetryPolicy(), breaker=breaker, sleep=sleep
        )
