"""A run's cost and time before it starts: prompt tokens from the rendered prompts (characters / 4
without a tokenizer), output tokens from earlier runs or max_tokens, each figure saying its source."""

from __future__ import annotations

import math

import pytest

from evaltui.engine.estimate import History, estimate
from evaltui.suites.models import ModelSpec

PRICE = {"input_per_mtok": 1_000_000, "output_per_mtok": 2_000_000}  # $1 a token in, $2 out


def test_prompt_tokens_are_characters_over_four_and_max_tokens_bounds_the_answer(make_suite) -> None:
    prepared = make_suite(10)
    model = ModelSpec(provider="demo", model="echo", params={"max_tokens": 5}, price=PRICE)
    guess = estimate(prepared, model, concurrency=4, epochs=2)
    prompts = [m["content"] for pc in prepared.cases for m in pc.messages]
    assert guess.requests == 20
    assert guess.tokens_in == 2 * sum(math.ceil(len(text) / 4) for text in prompts)
    assert guess.tokens_out == 5 * 20 and "max_tokens" in guess.tokens_out_how
    assert guess.cost_usd == guess.tokens_in * 1 + guess.tokens_out * 2
    assert guess.tokens_in_how == "estimate: characters / 4" and guess.cost_how.startswith("estimate")
    assert guess.seconds is None and guess.seconds_how.startswith("unknown")


def test_earlier_runs_give_the_answer_length_and_the_time(make_suite) -> None:
    model = ModelSpec(provider="demo", model="echo", price=PRICE)
    guess = estimate(make_suite(10), model, concurrency=4, history=History(2, 3.0, 200.0))
    assert guess.tokens_out == 30 and "2 earlier runs" in guess.tokens_out_how
    assert guess.seconds == pytest.approx(0.6)  # ten cases four at a time: three rounds of 200 ms


def test_without_a_price_or_an_answer_length_the_cost_is_unknown(make_suite) -> None:
    guess = estimate(make_suite(3), ModelSpec(provider="demo", model="echo"), concurrency=4)
    assert guess.cost_usd is None and guess.tokens_out is None
    assert guess.cost_how.startswith("unknown")


def test_with_a_price_but_no_answer_length_the_prompts_alone_bound_the_cost_from_below(make_suite) -> None:
    """gpt-4o-mini with no earlier run and no max_tokens: what its prompts cost is known, and is said
    as a floor, not as the run's cost."""
    prepared = make_suite(3)
    guess = estimate(prepared, ModelSpec(provider="demo", model="echo", price=PRICE), concurrency=4)
    assert guess.tokens_out is None
    assert guess.cost_usd == guess.tokens_in * 1 and guess.cost_is_floor
    assert guess.cost_how.startswith("at least: the prompts alone")
    priced = estimate(
        prepared,
        ModelSpec(provider="demo", model="echo", price=PRICE, params={"max_tokens": 5}),
        concurrency=4,
    )
    assert not priced.cost_is_floor


def test_tool_definitions_count_in_every_request_and_an_agent_asks_at_least_once_a_case(make_suite) -> None:
    """Tools are sent with every request; an agent (max_steps > 1) asks once a step, so the figures
    are floors and say so."""
    plain = make_suite(4)
    tools = "tools:\n  - function: {name: get_weather, description: " + "x" * 400 + "}\nmax_steps: 3\n"
    agent = make_suite(4, extra=tools)
    model = ModelSpec(provider="demo", model="echo")
    before, after = estimate(plain, model, concurrency=4), estimate(agent, model, concurrency=4)
    assert after.tokens_in - before.tokens_in >= 4 * 100  # 400 characters of tools, four requests
    assert "tool definitions" in after.tokens_in_how and "at least" in after.tokens_in_how
    assert after.requests_how.startswith("at least") and "max_steps 3" in after.requests_how
    assert before.requests_how == ""
    priced = ModelSpec(provider="demo", model="echo", price=PRICE, params={"max_tokens": 5})
    assert estimate(agent, priced, concurrency=4).cost_is_floor
    assert not estimate(plain, priced, concurrency=4).cost_is_floor
