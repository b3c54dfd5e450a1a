"""Prices: built-in table for hosted APIs, user overrides, unknown stays unknown."""

from __future__ import annotations

import pytest

from evaltui.analysis.pricing import Price, cost_usd, price_for
from evaltui.suites.models import Price as ConfigPrice


def test_longest_prefix_picks_the_mini_model_not_its_big_sibling() -> None:
    assert price_for("openai", "gpt-4o-mini-2024-07-18") == Price(0.15, 0.60)
    assert price_for("openai", "gpt-4o-2024-08-06") == Price(2.50, 10.00)
    assert price_for("openai", "o3-mini") == Price(1.10, 4.40)
    assert price_for("anthropic", "claude-3-5-haiku-20241022") == Price(0.80, 4.00)
    assert price_for("anthropic", "claude-sonnet-4-20250514") == Price(3.00, 15.00)


def test_local_and_demo_models_are_unknown_unless_configured() -> None:
    assert price_for("ollama", "llama3.1:8b") is None
    assert price_for("demo", "keyword") is None
    assert price_for("python", "mymod:answer") is None
    assert price_for("openai", "qwen2.5-7b-instruct", base_url="http://localhost:8000/v1") is None


def test_a_hosted_model_name_on_a_local_server_is_not_priced_from_the_table() -> None:
    assert price_for("openai", "gpt-4o", base_url="http://127.0.0.1:8000/v1") is None
    assert price_for("openai", "gpt-4o", base_url="https://api.openai.com/v1") == Price(2.50, 10.00)


def test_user_overrides_win_and_can_price_a_whole_provider() -> None:
    overrides = {"gpt-4o": ConfigPrice(input_per_mtok=1, output_per_mtok=2), "demo:": Price(0, 0)}
    assert price_for("openai", "gpt-4o-mini", overrides) == Price(1.0, 2.0)
    assert price_for("demo", "keyword", overrides) == Price(0.0, 0.0)
    assert price_for("ollama", "llama3", overrides) is None


def test_router_style_vendor_prefix_still_finds_the_table_price() -> None:
    assert price_for("openai", "openai/gpt-4.1-mini") == Price(0.40, 1.60)


def test_cost_is_tokens_times_price_per_million() -> None:
    assert cost_usd(Price(2.50, 10.00), 1_000_000, 500_000) == pytest.approx(7.5)
    assert cost_usd(Price(0, 0), 123, 456) == 0.0


def test_cost_is_unknown_without_a_price_or_token_counts() -> None:
    assert cost_usd(None, 10, 10) is None
    assert cost_usd(Price(1, 1), None, 10) is None
