"""What a run cost: a small built-in table of hosted model prices, overridable by the user.

The built-in prices are USD per million tokens as published by OpenAI and Anthropic, taken
2025-11 (PRICES_AS_OF). Providers change them; a user fixes or extends them with `prices:` in the
config file (keys are model-name prefixes, or "provider:prefix", e.g. "ollama:" to price every
local Ollama model, or "demo:" for the offline demo models). An unknown price is None, never 0:
a local server costs nothing only when the user says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlparse

from evaltui.records import Price

PRICES_AS_OF = "2025-11"


# Model-name prefix -> price. The longest matching prefix wins, so "gpt-4o-mini-2024-07-18" finds
# "gpt-4o-mini", not "gpt-4o".
BUILTIN_PRICES: dict[str, Price] = {
    # OpenAI
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-5": Price(1.25, 10.00),
    "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.40),
    "o1": Price(15.00, 60.00),
    "o3": Price(2.00, 8.00),
    "o3-mini": Price(1.10, 4.40),
    "o4-mini": Price(1.10, 4.40),
    # Anthropic
    "claude-opus-4": Price(15.00, 75.00),
    "claude-opus-4-5": Price(5.00, 25.00),
    "claude-3-opus": Price(15.00, 75.00),
    "claude-sonnet-4": Price(3.00, 15.00),
    "claude-3-7-sonnet": Price(3.00, 15.00),
    "claude-3-5-sonnet": Price(3.00, 15.00),
    "claude-haiku-4-5": Price(1.00, 5.00),
    "claude-3-5-haiku": Price(0.80, 4.00),
    "claude-3-haiku": Price(0.25, 1.25),
}

# The built-in table describes these hosts only: the same model name served by a local
# OpenAI-compatible server costs what its owner says, so it stays unknown unless configured.
HOSTED = {"openai": "api.openai.com", "anthropic": "api.anthropic.com"}


def price_for(
    provider: str,
    model: str,
    overrides: Mapping[str, Price] | None = None,
    *,
    base_url: str | None = None,
) -> Price | None:
    """The price of `model` served by `provider`, or None when unknown.

    User overrides win: the longest override key that prefixes "provider:model" or the model
    name. Then the built-in table, for the hosted OpenAI and Anthropic APIs only (no `base_url`,
    or one on their own host). A vendor prefix such as "openai/gpt-4o" (routers) is ignored for
    the table lookup.
    """
    if overrides:
        keys = [k for k in overrides if f"{provider}:{model}".startswith(k) or model.startswith(k)]
        if keys:
            return overrides[max(keys, key=len)]
    host = HOSTED.get(provider)
    if host is None or (base_url and urlparse(base_url).hostname != host):
        return None
    name = model.rsplit("/", 1)[-1]
    keys = [k for k in BUILTIN_PRICES if name.startswith(k)]
    return BUILTIN_PRICES[max(keys, key=len)] if keys else None


def cost_usd(price: Price | None, tokens_in: int | None, tokens_out: int | None) -> float | None:
    """USD for one call; None when the price or either token count is unknown."""
    if price is None or tokens_in is None or tokens_out is None:
        return None
    return (tokens_in * price.input_per_mtok + tokens_out * price.output_per_mtok) / 1_000_000
