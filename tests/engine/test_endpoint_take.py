"""`Endpoint.take`: an attempt that need not wait takes its slot at once; otherwise it says so and
the attempt waits its turn through `acquire`, as before."""

from __future__ import annotations

import asyncio

from evaltui.engine.ratelimit import Endpoint
from evaltui.providers.base import Completion


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_take_gives_the_free_slots_then_none_and_a_waiter_gets_the_next() -> None:
    clock = Clock()
    endpoint = Endpoint("m at h:1", 2, clock=clock)
    assert endpoint.take() == 100.0
    assert endpoint.take() == 100.0
    assert endpoint.in_flight == 2
    assert endpoint.take() is None  # full: nothing taken
    assert endpoint.in_flight == 2
    waiting = asyncio.ensure_future(endpoint.acquire())
    await asyncio.sleep(0)
    assert not waiting.done()
    endpoint.answered(100.0, Completion(text="ok"))
    assert await waiting == 100.0  # the freed slot went to the one waiting
    assert endpoint.in_flight == 2
    assert endpoint.take() is None


async def test_take_is_none_while_the_endpoint_is_paused_or_out_of_requests() -> None:
    clock = Clock()
    endpoint = Endpoint("m at h:1", 4, clock=clock)
    endpoint.paused(5.0)
    assert endpoint.take() is None and endpoint.in_flight == 0
    clock.now += 5.0
    assert endpoint.take() == 105.0
    endpoint.release()
    per_minute = Endpoint("m at h:1", 4, rpm=60, clock=clock)  # a bucket of one request a second
    assert per_minute.take() == 105.0
    assert per_minute.take() is None  # the bucket is empty until a second has passed
    clock.now += 1.0
    assert per_minute.take() == 106.0
