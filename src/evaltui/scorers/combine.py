"""How a case's scores make one verdict."""

from __future__ import annotations

from collections.abc import Sequence

from evaltui.scorers.base import Score

_EPSILON = 1e-9  # so a weighted mean of 0.7 reaches a threshold of 0.7 despite float rounding


def combine(scores: Sequence[Score], threshold: float | None = None) -> tuple[bool, float]:
    """(passed, value) of a case. Value is the weighted mean of the scores' values. Without a
    threshold the case passes when every scorer passes; with one, when the value reaches it.
    A case with no scorers passes with value 1.0 here; the engine never scores such a case (it is
    an error: engine/result.py)."""
    if not scores:
        return True, 1.0
    if len(scores) == 1 and threshold is None:  # the usual case, computed as the sums below would
        score = scores[0]
        value = score.value * score.weight / score.weight if score.weight > 0 else score.value / 1
        return bool(score.passed), value
    total = sum(score.weight for score in scores)
    if total > 0:
        value = sum(score.value * score.weight for score in scores) / total
    else:
        value = sum(score.value for score in scores) / len(scores)
    if threshold is None:
        return all(score.passed for score in scores), value
    return value + _EPSILON >= threshold, value
