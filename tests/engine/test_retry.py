"""Retry policy: what is retried, how long it waits, and what it reports when it gives up."""

from __future__ import annotations

import asyncio
import random

import pytest

from evaltui.engine.retry import RetriesExhausted, RetryPolicy, call_with_retries
from evaltui.errors import ProviderError


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
