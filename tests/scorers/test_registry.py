"""Compiling scorers: load-time errors name file, line and field; run time never crashes a run."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from evaltui.errors import ScorerError, SuiteError
from evaltui.scorers import Score, combine, compile_scorer, known_scorers, registry
from evaltui.scorers.registry import Options, scorer, verdict
from evaltui.suites.models import Location, ScorerSpec
from tests.scorers.contexts import score, spec


def compile_error(written: dict, suite_dir: str = ".") -> SuiteError:
    with pytest.raises(SuiteError) as caught:
        compile_scorer(spec(written, line=12), suite_dir=suite_dir, field_prefix="scorers[3]")
    return caught.value


def test_every_scorer_of_the_issue_is_registered() -> None:
    wanted = {
        "equals", "contains", "icontains", "not-contains", "contains-all", "contains-any", "starts-with",
        "regex", "one-of", "levenshtein", "similarity", "json-valid", "json-schema", "json-path", "numeric",
        "latency", "cost", "tokens", "python", "code-exec", "llm-judge", "factuality",
    }  # fmt: skip
    assert wanted <= set(known_scorers())


def test_each_built_in_scorer_is_registered_by_the_module_the_families_table_names() -> None:
    """compile_scorer imports a scorer's module by `FAMILIES` on first use: a scorer moved to another
    module, or a new one missing from the table, would otherwise be 'unknown' to every suite."""
    for module in set(registry.FAMILIES.values()):
        importlib.import_module(f"evaltui.scorers.{module}")
    built_in = {
        name: entry.fn.__module__.removeprefix("evaltui.scorers.")
        for name, entry in registry._REGISTRY.items()
        if entry.fn.__module__.startswith("evaltui.scorers.")
    }
    assert built_in == registry.FAMILIES


def test_unknown_scorer_names_the_place_and_lists_known_ones() -> None:
    error = compile_error({"type": "equal"})
    assert (error.file, error.line, error.field) == ("suite.yaml", 12, "scorers[3].type")
    assert "'equal'" in error.message and "equals" in error.message and "regex" in error.message


def test_bad_regex_is_a_load_time_error_on_the_pattern_field() -> None:
    error = compile_error({"type": "regex", "pattern": "(unclosed"})
    assert error.field == "scorers[3].pattern" and error.line == 12
    assert "bad regular expression" in error.message
    assert str(error).startswith("suite.yaml:12: scorers[3].pattern:")


def test_unknown_regex_flag_blames_flags() -> None:
    assert compile_error({"type": "regex", "pattern": "a", "flags": ["loud"]}).field == "scorers[3].flags"


def test_unknown_option_is_an_error_listing_the_options() -> None:
    error = compile_error({"type": "equals", "normalise": ["lower"]})
    assert error.field == "scorers[3].normalise"
    assert "unknown option 'normalise'" in error.message and "normalize" in error.message


def test_missing_required_option_names_it() -> None:
    error = compile_error({"type": "latency"})
    assert error.field == "scorers[3].max_ms" and "needs the option 'max_ms'" in error.message


def test_wrongly_typed_option_names_it() -> None:
    error = compile_error({"type": "similarity", "threshold": 3})
    assert error.field == "scorers[3].threshold"
    error = compile_error({"type": "equals", "normalize": ["uppercase"]})
    assert error.field.startswith("scorers[3].normalize")


def test_unreadable_schema_file_is_a_load_time_error(tmp_path: Path) -> None:
    error = compile_error({"type": "json-schema", "schema_file": "missing.json"}, suite_dir=str(tmp_path))
    assert error.field == "scorers[3].schema_file" and "cannot read the schema file" in error.message
    (tmp_path / "broken.json").write_text("{not json")
    error = compile_error({"type": "json-schema", "schema_file": "broken.json"}, suite_dir=str(tmp_path))
    assert error.field == "scorers[3].schema_file" and "is not JSON" in error.message


async def test_negate_flips_passed_and_value_and_says_so() -> None:
    got = await score({"type": "contains", "value": "sorry", "negate": True}, "I'm sorry")
    assert not got.passed and got.value == 0.0 and got.reason.startswith("negated, so fails")
    assert got.name == "not contains"
    kept = await score({"type": "contains", "value": "sorry", "negate": True}, "fine")
    assert kept.passed and kept.value == 1.0


async def test_weight_and_name_are_carried_on_the_score() -> None:
    got = await score({"type": "equals", "name": "intent", "weight": 2.5}, "a", "a")
    assert (got.name, got.weight) == ("intent", 2.5)


@scorer("test-explodes")
def _explodes(ctx, opts: Options) -> Score:  # type: ignore[no-untyped-def]
    raise KeyError("boom")


@scorer("test-out-of-range")
def _out_of_range(ctx, opts: Options) -> Score:  # type: ignore[no-untyped-def]
    return verdict(True, "too keen", 7.0)


async def test_a_scorer_that_raises_is_a_scorer_error_naming_the_exception() -> None:
    with pytest.raises(ScorerError, match="test-explodes: the scorer raised KeyError: 'boom'"):
        await score({"type": "test-explodes"}, "anything")


async def test_a_negated_scorer_that_raises_is_still_an_error_not_a_pass() -> None:
    with pytest.raises(ScorerError, match="KeyError"):
        await score({"type": "test-explodes", "negate": True}, "anything")


async def test_values_are_clamped_to_the_unit_interval() -> None:
    assert (await score({"type": "test-out-of-range"}, "x")).value == 1.0


GIVEN_VALUES: list[object] = [0.3, 0.0, 1.0, -0.2, 1.5, float("nan"), float("inf"), 1, 0, True, "0.5", None]


@scorer("test-gives-value")
def _gives_value(ctx, opts: Options) -> Score:  # type: ignore[no-untyped-def]
    return Score("", True, ctx.expected, "given")


@pytest.mark.parametrize("given", GIVEN_VALUES)
async def test_a_scorer_value_is_a_float_in_the_unit_interval(given: object) -> None:
    """Whatever a scorer returns as its value, the score keeps a float in [0, 1]: itself when it
    is one, the nearest bound past either end, 0.0 for NaN and for what is not a number."""
    value = (await score({"type": "test-gives-value"}, "x", expected=given)).value
    assert type(value) is float
    if isinstance(given, int | float) and given == given:
        assert value == min(1.0, max(0.0, float(given)))
    else:
        assert value == 0.0


def test_combine_without_threshold_needs_every_scorer() -> None:
    scores = [Score("a", True, 1.0, ""), Score("b", False, 0.5, "", weight=3.0)]
    assert combine(scores, None) == (False, pytest.approx((1.0 + 1.5) / 4))
    assert combine([Score("a", True, 1.0, ""), Score("b", True, 0.8, "")], None)[0]


def test_combine_with_threshold_uses_the_weighted_mean() -> None:
    scores = [Score("a", False, 0.0, "", weight=1.0), Score("b", True, 1.0, "", weight=3.0)]
    assert combine(scores, 0.75) == (True, 0.75)
    assert combine(scores, 0.8) == (False, 0.75)


@pytest.mark.parametrize("weight", [1.0, 3.0, 0.7, 0.0, 1e-300])
@pytest.mark.parametrize("value", [0.1, 0.7, 1 / 3, 0.0, 1.0])
@pytest.mark.parametrize("passed", [True, False])
def test_one_score_combines_as_the_weighted_mean_computes_it(
    passed: bool, value: float, weight: float
) -> None:
    """A case with one scorer gets the very float the weighted mean of many gives (rounding
    included: 0.1 weighted 3 is not 0.1), and its scorer's verdict."""
    score_ = Score("a", passed, value, "", weight=weight)
    mean = sum(s.value * s.weight for s in [score_]) / weight if weight > 0 else value / 1
    assert combine([score_], None) == (passed, mean)
    assert combine([score_], 0.5) == (mean + 1e-9 >= 0.5, mean)


def test_combine_edge_cases() -> None:
    assert combine([], None) == (True, 1.0)
    zero = [Score("a", True, 1.0, "", weight=0.0), Score("b", True, 0.0, "", weight=0.0)]
    assert combine(zero, None) == (True, 0.5)


def test_errors_name_the_field_the_loader_recorded_when_no_prefix_is_given() -> None:
    written = ScorerSpec.model_validate(
        {"type": "regex", "pattern": "(", "loc": Location(file="s.yaml", line=3, field="cases[4].scorers[1]")}
    )
    with pytest.raises(SuiteError) as caught:
        compile_scorer(written, suite_dir=".")
    assert (caught.value.line, caught.value.field) == (3, "cases[4].scorers[1].pattern")
