"""Trends maths on generated histories: drops outside what earlier runs support are flagged,
ordinary noise is not, series are per model and in time order, flipping cases are ranked."""

from __future__ import annotations

import random

from evaltui.analysis.stats import wilson_interval
from evaltui.analysis.trends import RunPoint, expected_range, flips, series


def run(i: int, model: str, passed: int, n: int, day: int | None = None) -> RunPoint:
    lo, hi = wilson_interval(passed, n)
    return RunPoint(
        run_id=f"r{i:03d}-{model}",
        started_at=f"2026-01-{(day or i) + 1:02d}T00:00:00+00:00",
        model_id=model,
        n=n,
        passed=passed,
        pass_rate=passed / n if n else None,
        lo=lo,
        hi=hi,
        p95_ms=100.0 + i,
        cost_usd=0.01 * i,
    )


def history(
    rng: random.Random, rate: float, runs: int, n: int, model: str = "m", start: int = 0
) -> list[RunPoint]:
    return [run(start + i, model, sum(rng.random() < rate for _ in range(n)), n) for i in range(runs)]


def test_a_steady_model_is_rarely_flagged_over_many_generated_histories() -> None:
    rng = random.Random(15)
    flagged = checked = 0
    for _ in range(200):
        points = series(history(rng, 0.8, 12, 200))["m"]
        flagged += sum(p.drop for p in points)
        checked += sum(p.previous is not None for p in points)
    assert checked == 200 * 11
    assert flagged / checked < 0.05  # a one-sided 95% test: about 2.5% by chance


def test_a_real_fall_is_flagged_and_the_recovery_is_not() -> None:
    rng = random.Random(7)
    points = history(rng, 0.85, 6, 300)
    points.append(run(6, "m", 195, 300))  # 65%
    points.append(run(7, "m", 255, 300))  # back to 85%
    got = series(points)["m"]
    assert [p.drop for p in got] == [False] * 6 + [True, False]
    low, high = got[6].previous  # type: ignore[misc]
    assert low < 0.85 < high and low > 0.65


def test_the_first_run_has_no_history_and_models_are_held_apart() -> None:
    points = [run(0, "a", 90, 100), run(1, "b", 10, 100), run(2, "a", 88, 100)]
    got = series(reversed(points))
    assert [p.run.run_id for p in got["a"]] == ["r000-a", "r002-a"]
    assert got["a"][0].previous is None and got["b"][0].previous is None
    assert not got["a"][1].drop  # b's low rate is not a's history


def test_only_the_last_window_runs_count_as_history() -> None:
    points = [run(i, "m", 20, 100) for i in range(3)] + [run(3 + i, "m", 90, 100) for i in range(5)]
    points.append(run(8, "m", 80, 100))
    got = series(points, window=5)["m"]
    assert got[-1].drop  # against the five 90% runs; the old 20% ones are out of the window
    assert got[-1].previous == expected_range(450, 500, 100)


def test_expected_range_widens_for_smaller_runs_and_stays_in_bounds() -> None:
    wide, narrow = expected_range(80, 100, 20), expected_range(80, 100, 2000)
    assert wide is not None and narrow is not None
    assert wide[1] - wide[0] > narrow[1] - narrow[0]
    perfect = expected_range(500, 500, 50)
    assert perfect is not None and perfect[1] == 1.0 and perfect[0] < 1.0
    assert expected_range(0, 0, 50) is None and expected_range(5, 10, 0) is None


def test_cases_that_flip_most_are_ranked_first() -> None:
    rng = random.Random(3)
    runs_a = []
    for i in range(10):
        runs_a.append(
            {
                "steady": True,
                "always-flips": i % 2 == 0,
                "coin": rng.random() < 0.5,
                **({"late": i % 2 == 0} if i >= 6 else {}),
            }
        )
    runs_b = [{"always-flips": i % 2 == 1, "steady": False} for i in range(4)]
    top = flips({"a": runs_a, "b": runs_b}, top=3)
    assert top[0].case_id == "always-flips" and (top[0].flips, top[0].runs) == (9 + 3, 14)
    assert "steady" not in [f.case_id for f in flips({"a": runs_a, "b": runs_b})]
    late = next(f for f in flips({"a": runs_a}) if f.case_id == "late")
    assert (late.flips, late.runs) == (3, 4)
