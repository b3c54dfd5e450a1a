"""The built-in demo models: deterministic, offline, and they answer what the prompt asks."""

from __future__ import annotations

import json

import pytest

from evaltui.errors import ProviderError
from evaltui.providers.base import Request
from evaltui.providers.demo import demo_models, make_demo
from evaltui.providers.demo.hostile import HOSTILE_OUTPUTS, HUGE_LINE_BYTES
from evaltui.scorers.judge import FACTUALITY_PROMPT, LLM_JUDGE_PROMPT, REPLY_FORMAT
from evaltui.suites.models import ModelSpec, Price
from tests.samples.conftest import ask, demo_spec, user

TICKET_PROMPT = "Classify the ticket as billing, bug, account or other. One word.\n\nTicket: {}"


@pytest.mark.parametrize("name", ["keyword", "rules", "echo", "judge", "hostile"])
async def test_every_demo_model_gives_the_same_completion_for_the_same_request(name: str) -> None:
    messages = user(TICKET_PROMPT.format("I was charged twice and the app crashed"))
    spec = ModelSpec(provider="demo", model=name)  # default simulated latency, drawn from a hash
    first = await make_demo(spec).complete(Request(messages=messages, case_id="c1"))
    second = await make_demo(spec).complete(Request(messages=messages, case_id="c1"))
    assert first == second
    assert 0 < first.latency_ms <= 40


def test_the_five_documented_demo_models_exist() -> None:
    assert set(demo_models()) >= {"keyword", "rules", "echo", "judge", "hostile"}


async def test_latency_can_be_fixed_and_zero_for_tests() -> None:
    completion = await ask("keyword", user("hello"), latency_ms=0)
    assert completion.latency_ms == 0.0
    fixed = await ask("keyword", user("hello"), latency_ms=3)
    assert fixed.latency_ms == 3.0


def test_a_negative_or_non_numeric_latency_is_refused_with_the_option_named() -> None:
    for bad in (-1, "fast", True):
        with pytest.raises(ProviderError, match=r"params\.latency_ms"):
            make_demo(demo_spec("keyword", latency_ms=bad))


def test_an_unknown_demo_model_names_the_known_ones() -> None:
    with pytest.raises(ProviderError, match=r"demo:keyword.*demo:rules"):
        make_demo(ModelSpec(provider="demo", model="gpt-5"))


async def test_tokens_are_estimated_from_words_and_cost_is_unknown_without_a_price() -> None:
    completion = await ask("echo", user("one two three four five six seven eight nine ten"))
    assert completion.tokens_in == 13 and completion.tokens_out == 13
    assert completion.cost_usd is None


async def test_cost_is_computed_when_the_spec_has_a_price() -> None:
    spec = demo_spec("echo").model_copy(update={"price": Price(input_per_mtok=1.0, output_per_mtok=2.0)})
    completion = await make_demo(spec).complete(Request(messages=user("ten " * 10)))
    assert completion.cost_usd == pytest.approx((13 * 1.0 + 13 * 2.0) / 1_000_000)


async def test_echo_returns_the_last_user_message() -> None:
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "second"},
    ]
    assert (await ask("echo", messages)).text == "second"


async def test_keyword_and_rules_route_a_two_topic_ticket_differently() -> None:
    prompt = TICKET_PROMPT.format("The payment page throws an error and now I've been charged twice")
    assert (await ask("keyword", user(prompt))).text == "billing"
    assert (await ask("rules", user(prompt))).text == "Bug"


async def test_classifier_follows_the_labels_the_prompt_lists() -> None:
    prompt = "Route the ticket to one of: shipping, returns or other.\n\nTicket: My shipping label is wrong"
    assert (await ask("keyword", user(prompt))).text == "shipping"


async def test_keyword_extracts_invoice_fields_as_json_with_the_keys_asked_for() -> None:
    prompt = (
        "Extract these fields as JSON:\n- invoice_number\n- total\n- invoice_date\n\n"
        "Invoice:\nNorthwind Traders Ltd\nInvoice No: NW-42\nInvoice date: 3 March 2024\n"
        "Total excl. VAT: £1,000.00\nVAT: £200.00\nAmount due: £1,200.00"
    )
    answer = json.loads((await ask("keyword", user(prompt))).text)
    assert answer == {"invoice_number": "NW-42", "total": 1200.0, "invoice_date": "2024-03-03"}


async def test_keyword_solves_a_two_step_word_problem_and_rules_does_not() -> None:
    prompt = "Solve it.\n\nProblem: Tom had 20 marbles, won 5 more, then lost 8. How many does Tom have now?"
    assert (await ask("keyword", user(prompt))).text.endswith("Answer: 17")
    assert "17" not in (await ask("rules", user(prompt))).text


async def test_keyword_writes_the_function_the_signature_names() -> None:
    prompt = (
        "Write a Python function:\n\ndef total_even(values: list[int]) -> int\n\n"
        "Task: Return the sum of the even numbers."
    )
    code = (await ask("keyword", user(prompt))).text
    assert code.startswith("```python\ndef total_even(values):")
    namespace: dict[str, object] = {}
    exec(code.strip("`").removeprefix("python\n"), namespace)
    assert namespace["total_even"]([1, 2, 3, 4]) == 6  # type: ignore[operator]


async def test_keyword_answers_from_the_context_sentence_that_matches_the_question() -> None:
    prompt = (
        "Answer from the context.\n\n"
        "Context: The tower opened in 1889. Gustave Eiffel's company designed it.\n\n"
        "Question: Which company designed the tower?"
    )
    assert (await ask("keyword", user(prompt))).text == "Gustave Eiffel's company designed it."
    assert (await ask("rules", user(prompt))).text == "The tower opened in 1889."


async def test_judge_passes_a_matching_answer_and_fails_a_wrong_one_on_the_llm_judge_prompt() -> None:
    def prompt(output: str) -> str:
        return LLM_JUDGE_PROMPT.format(
            rubric="Answer directly and concisely.",
            input="Who designed it?",
            output=output,
            reply_format=REPLY_FORMAT,
        )

    facts = {"kind": "llm-judge", "expected": "Gustave Eiffel's company designed it."}
    good = await make_demo(demo_spec("judge")).complete(
        Request(user(prompt("Gustave Eiffel's company.")), vars=facts)
    )
    bad = await make_demo(demo_spec("judge")).complete(
        Request(user(prompt("It opened in 1889.")), vars=facts)
    )
    assert json.loads(good.text)["pass"] is True
    verdict = json.loads(bad.text)
    assert verdict["pass"] is False and 0 <= verdict["score"] < 0.5 and "missing" in verdict["reasoning"]


async def test_judge_answers_factuality_prompts_with_a_verdict() -> None:
    prompt = FACTUALITY_PROMPT.format(
        input="Q?", expected="Mostly ice, with some rock.", output="Mostly ice and some rock."
    )
    assert json.loads((await ask("judge", user(prompt))).text)["verdict"] == "agree"
    unrelated = FACTUALITY_PROMPT.format(input="Q?", expected="Mostly ice, with some rock.", output="Gas.")
    assert json.loads((await ask("judge", user(unrelated))).text)["verdict"] == "disagree"
    unrelated = FACTUALITY_PROMPT.format(
        input="Q?", expected="Mostly ice, with some rock.", output="Gas giants."
    )
    assert json.loads((await ask("judge", user(unrelated))).text)["verdict"] == "disagree"


async def test_hostile_returns_a_named_entry_a_huge_line_and_covers_the_corpus() -> None:
    assert (await ask("hostile", user("hostile:osc52_clipboard"))).text == HOSTILE_OUTPUTS["osc52_clipboard"]
    huge = await ask("hostile", user("give me a 5 MB line"))
    assert len(huge.text) == HUGE_LINE_BYTES and "\n" not in huge.text
    seen = {(await ask("hostile", user("anything"), case_id=f"case-{i}")).text for i in range(200)}
    assert seen == set(HOSTILE_OUTPUTS.values())


def test_hostile_corpus_holds_markup_escapes_and_controls() -> None:
    corpus = "".join(HOSTILE_OUTPUTS.values())
    needles = ["[@click=app.quit]", "[/]", "\x1b[31m", "\x1b]52;", "\x1b]8;;", "\x07", "\b", "\x00"]
    for needle in [*needles, "\ud800", "\u202e", "\u200b"]:
        assert needle in corpus
