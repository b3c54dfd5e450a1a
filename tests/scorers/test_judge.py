"""Model-graded scorers, driven by a fake judge callable in place of the engine's."""

from __future__ import annotations

from typing import Any

import pytest

from evaltui.errors import ProviderError, ScorerError, SuiteError
from evaltui.providers.base import Completion, Request
from evaltui.providers.demo import make_demo
from evaltui.scorers import compile_scorer
from evaltui.suites.models import ModelSpec
from tests.scorers.contexts import make_ctx, score, spec


class FakeJudge:
    """Answers every judge call with `reply` (or raises it) and remembers what it was asked."""

    def __init__(self, reply: str | Exception) -> None:
        self.reply = reply
        self.calls: list[tuple[ModelSpec, Request]] = []

    async def __call__(self, model: ModelSpec, request: Request) -> Completion:
        self.calls.append((model, request))
        if isinstance(self.reply, Exception):
            raise self.reply
        return Completion(text=self.reply, tokens_in=100, tokens_out=20)


RUBRIC = {"type": "llm-judge", "rubric": "The answer is polite and mentions a refund."}


async def test_good_json_verdict_passes_with_the_judges_reasoning() -> None:
    judge = FakeJudge('{"pass": true, "score": 0.9, "reasoning": "Polite and offers a refund."}')
    got = await score(RUBRIC, "Sorry! Refund sent.", judge=judge, case_input="I was charged twice")
    assert got.passed and got.value == 0.9
    assert got.reason == "judge passed it (0.90): Polite and offers a refund."
    model, request = judge.calls[0]
    assert model.id == "demo:judge"  # the default judge
    prompt = request.messages[0]["content"]
    assert (
        "mentions a refund" in prompt and "Sorry! Refund sent." in prompt and "I was charged twice" in prompt
    )
    assert request.vars["kind"] == "llm-judge" and request.vars["output"] == "Sorry! Refund sent."


async def test_failing_verdict_and_threshold_override() -> None:
    judge = FakeJudge('Sure. ```json\n{"pass": false, "score": 0.4, "reasoning": "Rude."}\n```')
    got = await score(RUBRIC, "No.", judge=judge)
    assert not got.passed and got.value == 0.4 and got.reason.endswith("Rude.")
    lenient = await score({**RUBRIC, "threshold": 0.3}, "No.", judge=judge)
    assert lenient.passed


async def test_verdict_inside_prose_and_score_out_of_ten_are_understood() -> None:
    judge = FakeJudge('My verdict: {"score": 8, "reasoning": "Mostly there"} — hope that helps')
    got = await score(RUBRIC, "x", judge=judge)
    assert got.passed and got.value == pytest.approx(0.8)


@pytest.mark.parametrize("junk", ["I think it is fine.", '{"reasoning": "no verdict"}', "[1, 2]", ""])
async def test_a_judge_answering_junk_is_a_failing_score_saying_so(junk: str) -> None:
    got = await score(RUBRIC, "x", judge=FakeJudge(junk))
    assert not got.passed and got.value == 0.0
    assert got.reason.startswith("the judge did not answer with a JSON verdict")


async def test_a_judge_that_cannot_be_asked_is_a_scorer_error_without_crashing() -> None:
    with pytest.raises(ScorerError, match="no verdict from the judge demo:judge: 429 after 4 retries"):
        await score(RUBRIC, "x", judge=FakeJudge(ProviderError("429 after 4 retries", status=429)))
    with pytest.raises(ScorerError, match="RuntimeError: judge bug"):
        await score(RUBRIC, "x", judge=FakeJudge(RuntimeError("judge bug")))


async def test_no_judge_in_the_context_is_a_scorer_error_with_a_reason() -> None:
    with pytest.raises(ScorerError, match="no judge available"):
        await score(RUBRIC, "x")


async def test_model_option_and_suite_default_pick_the_judge() -> None:
    judge = FakeJudge('{"pass": true, "score": 1, "reasoning": "ok"}')
    await score({**RUBRIC, "model": "openai:gpt-4o-mini"}, "x", judge=judge)
    assert (judge.calls[0][0].provider, judge.calls[0][0].model) == ("openai", "gpt-4o-mini")
    suite_judge = ModelSpec(provider="ollama", model="llama3")
    compiled = compile_scorer(spec(RUBRIC), suite_dir=".", default_judge=suite_judge)
    await compiled(make_ctx("x", judge=judge))
    assert judge.calls[1][0] is suite_judge


def test_bad_judge_model_and_missing_rubric_are_load_time_errors() -> None:
    with pytest.raises(SuiteError, match="bad judge model") as caught:
        compile_scorer(spec({**RUBRIC, "model": "nosuch:model"}), suite_dir=".")
    assert caught.value.field == "scorers[0].model"
    with pytest.raises(SuiteError, match="needs the option 'rubric'"):
        compile_scorer(spec({"type": "llm-judge"}), suite_dir=".")


@pytest.mark.parametrize(
    ("said", "passed", "value"),
    [("agree", True, 1.0), ("superset", True, 0.6), ("subset", False, 0.4), ("disagree", False, 0.0)],
)
async def test_factuality_maps_the_verdict(said: str, passed: bool, value: float) -> None:
    judge = FakeJudge(f'{{"verdict": "{said}", "reasoning": "compared"}}')
    got = await score({"type": "factuality"}, "Paris is the capital.", "Paris", judge=judge)
    assert (got.passed, got.value) == (passed, value)
    assert got.reason == f"judge says {said}: compared"
    facts: dict[str, Any] = judge.calls[0][1].vars
    assert facts["kind"] == "factuality" and facts["expected"] == "Paris"


async def test_factuality_accept_option_and_junk() -> None:
    judge = FakeJudge('{"verdict": "subset", "reasoning": "partial"}')
    got = await score({"type": "factuality", "accept": ["agree", "subset"]}, "x", "y", judge=judge)
    assert got.passed
    junk = await score({"type": "factuality"}, "x", "y", judge=FakeJudge('{"verdict": "maybe"}'))
    assert not junk.passed and "did not answer with a JSON verdict" in junk.reason
    none = await score({"type": "factuality"}, "x", None, judge=judge)
    assert not none.passed and "needs the case's `expected`" in none.reason


async def test_the_offline_demo_judge_understands_both_prompts() -> None:
    async def demo_judge(model: ModelSpec, request: Request) -> Completion:
        return await make_demo(model).complete(request)

    rubric = {"type": "llm-judge", "rubric": "The answer names Paris as the capital of France."}
    graded = await score(rubric, "The capital of France is Paris.", judge=demo_judge, case_input="Capital?")
    assert graded.reason.startswith("judge ") and "JSON verdict" not in graded.reason
    facts = await score({"type": "factuality"}, "Paris is the capital of France.", "Paris", judge=demo_judge)
    assert facts.reason.startswith("judge says ")
