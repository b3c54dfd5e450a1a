"""The loader's table of the case ids met: exact, and bounded in memory."""

from __future__ import annotations

import random
import tracemalloc

import pytest

from evaltui.suites.identity import IdHashes


@pytest.mark.parametrize("kept", [10, 500, 1 << 21])
def test_id_hashes_say_met_exactly_when_a_set_would(kept: int) -> None:
    rng = random.Random(kept)
    keys = [rng.getrandbits(64) - (1 << 63) for _ in range(3_000)] + [0, 1, -1]
    walk = [rng.choice(keys) for _ in range(12_000)]
    hashes, met = IdHashes(kept), set()
    for key in walk:
        assert hashes.add(key) == (key in met), key
        met.add(key)


def _peak(n: int) -> int:
    hashes = IdHashes(kept=2_000)
    tracemalloc.start()
    try:
        for i in range(n):
            hashes.add(hash(f"case-{i}"))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_id_hashes_past_the_kept_ones_do_not_grow_memory() -> None:
    small, large = _peak(5_000), _peak(100_000)
    assert large < small + 100_000, (small, large)  # 95,000 more in memory: 1.5 MB and up
