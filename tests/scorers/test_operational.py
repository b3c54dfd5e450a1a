"""Latency, cost and token limits read from the completion being scored."""

from __future__ import annotations

import pytest

from evaltui.errors import SuiteError
from evaltui.providers.base import Completion
from evaltui.scorers import compile_scorer
from tests.scorers.contexts import score, spec

FAST = Completion(text="ok", tokens_in=40, tokens_out=10, latency_ms=120.0, cost_usd=0.002)


async def test_latency_under_and_over_the_limit() -> None:
    assert (await score({"type": "latency", "max_ms": 500}, "ok", completion=FAST)).passed
    slow = await score({"type": "latency", "max_ms": 100}, "ok", completion=FAST)
    assert not slow.passed and slow.reason == "120 ms > max 100 ms"
    assert not (await score({"type": "latency", "max_ms": 100}, "ok")).passed


async def test_cost_limit_and_unknown_cost_fails() -> None:
    assert (await score({"type": "cost", "max_usd": 0.01}, "ok", completion=FAST)).passed
    assert not (await score({"type": "cost", "max_usd": 0.001}, "ok", completion=FAST)).passed
    unknown = await score({"type": "cost", "max_usd": 1}, "ok", completion=Completion(text="ok"))
    assert not unknown.passed and "cost unknown" in unknown.reason


async def test_tokens_total_and_output_limits() -> None:
    assert (await score({"type": "tokens", "max": 50}, "ok", completion=FAST)).passed
    over = await score({"type": "tokens", "max": 49, "max_out": 5}, "ok", completion=FAST)
    assert not over.passed and "50 tokens > max 49" in over.reason and "10 output tokens" in over.reason
    unknown = await score({"type": "tokens", "max": 10}, "ok", completion=Completion(text="ok"))
    assert not unknown.passed and "unknown" in unknown.reason


def test_tokens_needs_a_limit() -> None:
    with pytest.raises(SuiteError, match="give `max`") as caught:
        compile_scorer(spec({"type": "tokens"}), suite_dir=".")
    assert caught.value.field == "scorers[0].max"
