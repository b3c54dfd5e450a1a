"""`run_headless`: what `evaltui run` runs its runners on."""

from __future__ import annotations

import asyncio
import gc
import sys

import pytest

from evaltui.engine.headless import RUN_GC_THRESHOLD, run_headless


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_a_headless_run_is_on_uvloop_where_installed_with_the_heap_frozen(unfrozen):
    async def main() -> str:
        await asyncio.sleep(0)
        return type(asyncio.get_running_loop()).__module__

    gc.unfreeze()
    module = run_headless(main())
    if sys.platform != "win32":  # uvloop is a dependency everywhere but Windows
        assert module.startswith("uvloop"), module
    assert gc.get_freeze_count() > 0


def test_an_exception_in_the_run_comes_out_of_run_headless(unfrozen):
    async def main() -> None:
        raise ValueError("from inside the loop")

    with pytest.raises(ValueError, match="from inside the loop"):
        run_headless(main())


def test_the_young_generation_is_collected_less_often_during_the_run_only(unfrozen):
    async def main() -> tuple[int, ...]:
        await asyncio.sleep(0)
        return gc.get_threshold()

    before = gc.get_threshold()
    during = run_headless(main())
    assert during == (RUN_GC_THRESHOLD, *before[1:]) and before[0] < RUN_GC_THRESHOLD
    assert gc.get_threshold() == before
    with pytest.raises(ValueError):
        run_headless(_raises())
    assert gc.get_threshold() == before


async def _raises() -> None:
    raise ValueError("the run broke")
