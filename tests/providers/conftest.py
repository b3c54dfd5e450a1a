"""The providers' tests run on both event loops evaltui runs on: asyncio's own (the TUI) and
uvloop's (headless `evaltui run`, engine/headless.py), where uvloop is installed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from evaltui.engine.headless import loop_factory


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    factories: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {"asyncio": asyncio.new_event_loop}
    uvloop = loop_factory()
    if uvloop is not None:
        factories["uvloop"] = uvloop
    return factories
