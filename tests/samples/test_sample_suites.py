"""The shipped sample suites: they load, and scored with the real scorers against the demo
models they show a realistic mix of passes and failures, with demo:keyword and demo:rules
disagreeing on real cases (so a comparison has regressions and improvements to show)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from evaltui.engine.agent import run_agent
from evaltui.engine.ask import Asked
from evaltui.providers.base import Completion, Request
from evaltui.providers.demo import make_demo
from evaltui.scorers import ScoreContext, combine, compile_scorer
from evaltui.suites.discover import discover_suites
from evaltui.suites.loader import load_suite
from evaltui.suites.models import ModelSpec, Suite
from evaltui.suites.template import render_messages
from tests.samples.conftest import SAMPLE_DIR, SAMPLE_SUITES, demo_spec

EXPECTED_SUITES = {
    "support_intent.yaml",
    "invoice_extraction.yaml",
    "math_word_problems.yaml",
    "python_functions.yaml",
    "answer_quality.yaml",
    "trip_assistant.yaml",
}


@dataclass(frozen=True)
class Outcome:
    passed: dict[str, bool]

    @property
    def rate(self) -> float:
        return sum(self.passed.values()) / len(self.passed)


async def offline_judge(spec: ModelSpec, request: Request) -> Completion:
    provider = make_demo(spec.model_copy(update={"params": {**spec.params, "latency_ms": 0}}))
    return await provider.complete(request)


async def score_suite(suite: Suite, model: str) -> Outcome:
    """Each case asked and scored as a run does, through the agent loop for an agent suite."""
    suite_dir = str(Path(suite.path).parent)
    provider = make_demo(demo_spec(model))
    tools = [tool.as_request() for tool in suite.tools]

    async def ask(request: Request) -> Asked:
        return Asked(await provider.complete(request), 1, False)

    passed: dict[str, bool] = {}
    for case in suite.cases:
        scorers = [compile_scorer(spec, suite_dir=suite_dir) for spec in suite.scorers_for(case)]
        messages = render_messages(suite, case)
        request = Request(messages=messages, case_id=case.id, tools=tools)
        finished = True
        if suite.max_steps > 1:
            trajectory = await run_agent(ask, request, case.tool_results, suite.max_steps)
            assert trajectory.error is None, f"{case.id}: {trajectory.error}"  # a sample never errs
            completion, finished = trajectory.completion, trajectory.finished
            assert completion is not None
        else:
            completion = await provider.complete(request)
        ctx = ScoreContext(
            output=completion.text, expected=case.expected, case=case, completion=completion,
            prompt=messages, suite_dir=suite_dir, judge=offline_judge, tool_calls=completion.tool_calls,
        )  # fmt: skip
        scores = [await scorer(ctx) for scorer in scorers]
        passed[case.id] = combine(scores, suite.pass_threshold)[0] and finished
    return Outcome(passed)


def test_the_five_sample_suites_are_shipped() -> None:
    assert {path.name for path in SAMPLE_SUITES} >= EXPECTED_SUITES


def test_every_sample_suite_is_discovered_without_errors() -> None:
    entries = discover_suites([SAMPLE_DIR])
    assert [entry.error for entry in entries if entry.error is not None] == []
    assert len(entries) >= len(EXPECTED_SUITES)


@pytest.mark.parametrize("path", SAMPLE_SUITES, ids=lambda path: path.stem)
def test_sample_suite_loads_with_30_to_200_cases_and_the_demo_models(path: Path) -> None:
    suite = load_suite(path)
    assert 30 <= len(suite.cases) <= 200
    assert [model.id for model in suite.models][:2] == ["demo:keyword", "demo:rules"]
    for spec in suite.scorers:  # every scorer option is valid for the scorers layer
        compile_scorer(spec, suite_dir=str(path.parent))


def test_support_intent_is_the_default_tour_suite_with_both_demo_models() -> None:
    suite = load_suite(SAMPLE_DIR / "support_intent.yaml")
    assert [model.id for model in suite.models] == ["demo:keyword", "demo:rules"]


def test_math_problems_share_clusters() -> None:
    suite = load_suite(SAMPLE_DIR / "math_word_problems.yaml")
    clusters = [case.cluster for case in suite.cases]
    assert all(clusters) and len(set(clusters)) < len(clusters) / 3


@pytest.mark.parametrize("path", SAMPLE_SUITES, ids=lambda path: path.stem)
async def test_demo_keyword_passes_most_but_not_all_cases_and_rules_disagrees(path: Path) -> None:
    suite = load_suite(path)
    keyword = await score_suite(suite, "keyword")
    rules = await score_suite(suite, "rules")
    assert 0.55 <= keyword.rate <= 0.92, f"demo:keyword pass rate {keyword.rate:.0%}"
    assert rules.rate < keyword.rate, f"demo:rules {rules.rate:.0%} vs demo:keyword {keyword.rate:.0%}"
    regressions = [case for case in keyword.passed if keyword.passed[case] and not rules.passed[case]]
    improvements = [case for case in keyword.passed if rules.passed[case] and not keyword.passed[case]]
    assert regressions, "switching keyword -> rules should lose some cases"
    if path.stem in {"support_intent", "math_word_problems"}:
        assert improvements, "rules should win some cases keyword loses"
