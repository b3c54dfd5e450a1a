"""The providers' tests run on both event loops evaltui runs on (tests/loops.py)."""

from __future__ import annotations

import pytest
from tests.loops import LoopFactory, both_loops


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, LoopFactory]:
    return both_loops()
