"""A run's attempts are timed out through one shared `Deadlines` (engine/retry.py): the same
outcomes as `asyncio.timeout` gave each attempt, on both event loops.

An attempt meant to end in time is given a deadline no test reaches (an hour): a loaded machine may
stall the process for longer than a short deadline between an attempt's start and its end, and then,
on uvloop, whose timers run before the callbacks already due, the attempt is timed out, as it would
be with `asyncio.timeout`. An attempt meant to time out is awaited with no bound but a guard that
makes the test fail, never pass, when its deadline does not come."""

from __future__ import annotations

import asyncio

import pytest

from evaltui.engine.retry import Deadlines, RetriesExhausted, RetryPolicy, _Attempt, call_with_retries

IN_TIME_S = 3600  # the deadline of an attempt that must end in time, however loaded the machine


async def timed_out(task: asyncio.Future[object]) -> None:
    """Wait for `task`, which must end in TimeoutError. Should its deadline never come, the guard's
    wait ends and the test fails (asyncio.wait raises nothing of its own: a guard's own timeout
    cannot pass for the deadline's)."""
    await asyncio.wait([task], timeout=120)
    assert task.done(), "the deadline never came"
    assert isinstance(task.exception(), TimeoutError)


async def test_an_attempt_past_its_deadline_raises_timeout_error_and_the_others_go_on() -> None:
    deadlines = Deadlines()
    finished: list[str] = []

    async def attempt(name: str, timeout_s: float, takes_s: float) -> None:
        with deadlines.scope(timeout_s):
            await asyncio.sleep(takes_s)
        finished.append(name)

    slow = asyncio.ensure_future(attempt("slow", 0.05, 3600))
    quick = [asyncio.ensure_future(attempt(f"quick{i}", IN_TIME_S, 0.01 * i)) for i in range(5)]
    await timed_out(slow)
    await asyncio.gather(*quick)
    assert sorted(finished) == [f"quick{i}" for i in range(5)]


async def test_a_later_shorter_deadline_is_kept_before_an_earlier_longer_one() -> None:
    deadlines = Deadlines()

    long_started = asyncio.Event()

    async def attempt(timeout_s: float, started: asyncio.Event | None = None) -> None:
        with deadlines.scope(timeout_s):
            if started is not None:
                started.set()
            await asyncio.sleep(3600)

    long = asyncio.ensure_future(attempt(3600, long_started))
    await long_started.wait()  # the long one arms the timer first
    short = asyncio.ensure_future(attempt(0.05))
    await timed_out(short)
    assert not long.done()
    long.cancel()
    with pytest.raises(asyncio.CancelledError):
        await long


async def test_a_cancellation_from_outside_stays_a_cancellation() -> None:
    deadlines = Deadlines()

    started = asyncio.Event()

    async def attempt() -> None:
        with deadlines.scope(3600):
            started.set()
            await asyncio.sleep(3600)

    task = asyncio.ensure_future(attempt())
    await started.wait()
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


async def test_attempts_that_end_in_time_leave_no_timer_and_no_deadline_behind() -> None:
    deadlines = Deadlines()

    async def attempt() -> str:
        with deadlines.scope(IN_TIME_S):
            await asyncio.sleep(0)
        return "ok"

    for _ in range(3):  # rounds of attempts that end in time: the heap is dropped, never grows
        assert await asyncio.gather(*(attempt() for _ in range(300))) == ["ok"] * 300
        assert deadlines._timer is None and not deadlines._heap  # nothing running: no timer


async def test_attempts_ended_in_time_are_dropped_while_a_late_one_runs_and_it_still_times_out() -> None:
    deadlines = Deadlines()
    entered: list[_Attempt] = []
    started = asyncio.Event()

    async def late() -> None:
        with deadlines.scope(0.2) as attempt:
            entered.append(attempt)
            started.set()
            await asyncio.sleep(3600)

    async def in_time() -> str:
        with deadlines.scope(IN_TIME_S):  # later than the late one's: its timer stays the one set
            await asyncio.sleep(0)
        return "ok"

    task = asyncio.ensure_future(late())
    await started.wait()
    (late_attempt,) = entered
    for _ in range(10):  # 3,000 attempts end in time while the late one runs: the ended are dropped
        assert await asyncio.gather(*(in_time() for _ in range(300))) == ["ok"] * 300
        assert len(deadlines._heap) <= 2 * 301 + 64
    # The late one was never dropped with them: its deadline is still kept, or (on a machine loaded
    # enough to take longer than its deadline to get here) has come already.
    assert late_attempt.expired or any(entry[2] is late_attempt for entry in deadlines._heap)
    await timed_out(task)
    assert late_attempt.expired
    assert deadlines._timer is None and not deadlines._heap


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
