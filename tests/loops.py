"""The event loops evaltui runs on, for tests that must pass on each: asyncio's own (the TUI) and
uvloop's (headless `evaltui run`, engine/headless.py) where uvloop is installed. A directory's
conftest returns `both_loops()` from pytest-asyncio's `pytest_asyncio_loop_factories` hook."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from evaltui.engine.headless import loop_factory

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def both_loops() -> dict[str, LoopFactory]:
    factories: dict[str, LoopFactory] = {"asyncio": asyncio.new_event_loop}
    uvloop = loop_factory()
    if uvloop is not None:
        factories["uvloop"] = uvloop
    return factories
