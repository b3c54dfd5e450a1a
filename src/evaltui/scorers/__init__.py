"""Scorers: judge what a model produced. Each returns a `Score` (passed, value 0..1, reason).

Public API (`evaltui.scorers`):

    compile_scorer(spec, *, suite_dir, field_prefix=None, default_judge=None)
        -> CompiledScorer            options checked and precompiled; SuiteError(file, line, field)
    await compiled(ctx) -> Score     applies `negate`, carries `weight`; ScorerError (the case is an
                                     `error`) when the scorer could not judge
    combine(scores, threshold) -> (passed, value)
    known_scorers() -> list[str]
    Score, ScoreContext

Each family's module (text, structured, judge, code_exec, ...) is imported the first time a suite
names one of its scorers (`registry.FAMILIES`), not with this package.
"""

from evaltui.scorers.base import Judge, Score, ScoreContext, model_secrets
from evaltui.scorers.combine import combine
from evaltui.scorers.registry import CompiledScorer, compile_scorer, known_scorers

__all__ = [
    "CompiledScorer",
    "Judge",
    "Score",
    "ScoreContext",
    "combine",
    "compile_scorer",
    "known_scorers",
    "model_secrets",
]
