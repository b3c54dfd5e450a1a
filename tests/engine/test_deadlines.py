"""A run's attempts are timed out through one shared `Deadlines` (engine/retry.py): the same
outcomes as `asyncio.timeout` gave each attempt, on both event loops."""

from __future__ import annotations

import asyncio

import pytest

from evaltui.engine.retry import Deadlines, RetriesExhausted, RetryPolicy, call_with_retries


async def test_an_attempt_past_its_deadline_raises_timeout_error_and_the_others_go_on() -> None:
    deadlines = Deadlines()
    finished: list[str] = []

    async def attempt(name: str, timeout_s: float, takes_s: float) -> None:
        with deadlines.scope(timeout_s):
            await asyncio.sleep(takes_s)
        finished.append(name)

    slow = asyncio.ensure_future(attempt("slow", 0.05, 3600))
    quick = [asyncio.ensure_future(attempt(f"quick{i}", 30, 0.01 * i)) for i in range(5)]
    with pytest.raises(TimeoutError):
        await slow
    await asyncio.gather(*quick)
    assert sorted(finished) == [f"quick{i}" for i in range(5)]


async def test_a_later_shorter_deadline_is_kept_before_an_earlier_longer_one() -> None:
    deadlines = Deadlines()

    async def attempt(timeout_s: float) -> None:
        with deadlines.scope(timeout_s):
            await asyncio.sleep(3600)

    long = asyncio.ensure_future(attempt(3600))
    await asyncio.sleep(0)  # the long one arms the timer first
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(attempt(0.05), 10)  # wait_for's 10 s only guards the test
    assert not long.done()
    long.cancel()
    with pytest.raises(asyncio.CancelledError):
        await long


async def test_a_cancellation_from_outside_stays_a_cancellation() -> None:
    deadlines = Deadlines()

    async def attempt() -> None:
        with deadlines.scope(3600):
            await asyncio.sleep(3600)

    task = asyncio.ensure_future(attempt())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not task.cancelling() or task.cancelled()


async def test_a_cancellation_from_outside_after_the_deadline_fired_stays_a_cancellation() -> None:
    """As with asyncio.timeout: a cancel asked for after ours wins; the attempt is not a timeout."""
    deadlines = Deadlines()
    started = asyncio.Event()

    async def attempt() -> None:
        with deadlines.scope(0.02):
            started.set()
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                asyncio.current_task().cancel()  # type: ignore[union-attr]  # another cancel meanwhile
                await asyncio.sleep(0)  # delivered here

    task = asyncio.ensure_future(attempt())
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_many_attempts_in_time_leave_nothing_behind_and_a_late_one_still_times_out() -> None:
    deadlines = Deadlines()

    async def attempt(takes_s: float) -> str:
        with deadlines.scope(0.2):
            await asyncio.sleep(takes_s)
        return "ok"

    for _ in range(3):  # rounds of attempts that end in time: the heap is dropped, never grows
        assert await asyncio.gather(*(attempt(0) for _ in range(300))) == ["ok"] * 300
        assert deadlines._timer is None and not deadlines._heap  # nothing running: no timer
    late = asyncio.ensure_future(attempt(3600))
    for _ in range(10):  # 3,000 attempts end in time while the late one runs: the ended are dropped
        assert await asyncio.gather(*(attempt(0) for _ in range(300))) == ["ok"] * 300
    assert len(deadlines._heap) <= 2 * 301 + 64
    with pytest.raises(TimeoutError):
        await late
    assert deadlines._timer is None


async def test_call_with_retries_times_out_through_a_shared_deadlines_and_asks_again() -> None:
    deadlines = Deadlines()
    calls = 0

    async def hangs_once() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(3600)
        return "late but fine"

    async def no_wait(_: float) -> None:
        return None

    policy = RetryPolicy(timeout_s=0.05, max_retries=1)
    assert await call_with_retries(hangs_once, policy, sleep=no_wait, deadlines=deadlines) == (
        "late but fine",
        2,
    )

    async def always_hangs() -> str:
        await asyncio.sleep(3600)
        return "never"

    with pytest.raises(RetriesExhausted, match=r"timed out after 0\.05 s"):
        await call_with_retries(always_hangs, policy, sleep=no_wait, deadlines=deadlines)
    assert deadlines._timer is None
