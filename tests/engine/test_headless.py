"""`run_headless`: what `evaltui run` runs its runners on."""

from __future__ import annotations

import asyncio
import gc
import sys

import pytest

from evaltui.engine.headless import run_headless


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
