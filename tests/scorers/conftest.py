"""The scorers' tests run on both event loops evaltui runs on (tests/loops.py): `code-exec` runs
its sandbox as a subprocess, which each loop implements on its own."""

from __future__ import annotations

import pytest

from tests.loops import LoopFactory, both_loops


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, LoopFactory]:
    return both_loops()
