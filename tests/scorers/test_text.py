"""Text scorers: each with a passing, a failing and a malformed case."""

from __future__ import annotations

import pytest

from evaltui.errors import ScorerError
from tests.scorers.contexts import score


async def test_equals_normalizes_before_comparing() -> None:
    got = await score(
        {"type": "equals", "normalize": ["strip", "lower", "strip_punctuation"]}, " Billing.\n", "billing"
    )
    assert got.passed and got.value == 1.0


async def test_equals_failure_names_expected_and_got() -> None:
    got = await score({"type": "equals"}, "Billing.", "billing")
    assert not got.passed and got.value == 0.0
    assert got.reason == 'expected "billing", got "Billing."'


async def test_equals_value_option_overrides_case_expected() -> None:
    assert (await score({"type": "equals", "value": "bug"}, "bug", "billing")).passed


async def test_equals_compares_non_string_expected_as_json_text() -> None:
    assert (await score({"type": "equals"}, "42", 42)).passed
    assert (await score({"type": "equals"}, "true", True)).passed


async def test_equals_without_any_expected_value_is_an_error_that_says_how_to_fix() -> None:
    with pytest.raises(ScorerError, match="no expected value") as caught:
        await score({"type": "equals"}, "billing", None)
    assert "`value`" in str(caught.value)


async def test_collapse_whitespace_joins_runs_of_spaces() -> None:
    assert (await score({"type": "equals", "normalize": "collapse_whitespace"}, "a  \n b", "a b")).passed


async def test_contains_is_case_sensitive_and_icontains_is_not() -> None:
    assert (await score({"type": "contains", "value": "refund"}, "A refund is due")).passed
    missed = await score({"type": "contains", "value": "Refund"}, "A refund is due")
    assert not missed.passed and '"Refund" not found' in missed.reason
    assert (await score({"type": "icontains", "value": "REFUND"}, "A refund is due")).passed


async def test_not_contains_fails_when_the_text_is_there() -> None:
    assert (await score({"type": "not-contains", "value": "sorry"}, "Here you go")).passed
    got = await score({"type": "not-contains", "value": "sorry"}, "I'm sorry, I can't")
    assert not got.passed and "must not contain" in got.reason


async def test_contains_all_value_is_the_share_found() -> None:
    got = await score({"type": "contains-all", "values": ["a", "b", "c", "d"]}, "a b")
    assert not got.passed and got.value == 0.5
    assert '"c"' in got.reason and '"d"' in got.reason
    assert (await score({"type": "contains-all"}, "red and blue", ["red", "blue"])).passed


async def test_contains_any_passes_on_one_hit() -> None:
    assert (await score({"type": "contains-any", "values": ["x", "blue"]}, "red and blue")).passed
    assert not (await score({"type": "contains-any", "values": ["x", "y"]}, "red and blue")).passed


async def test_starts_with() -> None:
    assert (await score({"type": "starts-with", "value": "Dear"}, "Dear Sam,")).passed
    got = await score({"type": "starts-with", "value": "Dear"}, "Hi Sam,")
    assert not got.passed and "expected to start with" in got.reason


async def test_regex_reports_the_match_and_the_miss() -> None:
    assert 'matched "123"' in (await score({"type": "regex", "pattern": r"^\d+$"}, "123")).reason
    got = await score({"type": "regex", "pattern": r"^\d+$"}, "12a")
    assert not got.passed and got.reason.startswith(r"no match for /^\d+$/")


async def test_regex_flags_as_words_or_letters() -> None:
    assert (await score({"type": "regex", "pattern": "^yes", "flags": ["ignorecase"]}, "YES")).passed
    assert (await score({"type": "regex", "pattern": "^b$", "flags": "m"}, "a\nb")).passed
    assert not (await score({"type": "regex", "pattern": "^yes"}, "YES")).passed


async def test_one_of_matches_a_whole_choice() -> None:
    choices = {"type": "one-of", "values": ["billing", "bug", "other"], "normalize": ["strip", "lower"]}
    assert (await score(choices, " Bug ")).passed
    got = await score(choices, "bugs")
    assert not got.passed and "expected one of" in got.reason


@pytest.mark.parametrize("kind", ["levenshtein", "similarity"])
async def test_similarity_value_is_the_edit_ratio(kind: str) -> None:
    got = await score({"type": kind, "threshold": 0.8}, "kitten", "sitten")
    assert got.passed and got.value == pytest.approx(5 / 6)
    far = await score({"type": kind, "threshold": 0.8}, "kitten", "sitting")
    assert not far.passed and far.value == pytest.approx(1 - 3 / 7) and "3 edits" in far.reason


async def test_similarity_of_long_texts_still_answers() -> None:
    got = await score({"type": "similarity"}, "a" * 700, "a" * 690 + "b" * 10)
    assert got.passed and got.value == pytest.approx(690 / 700)


@pytest.mark.timeout(60)  # Python's re backtracks here for longer than the universe has left
async def test_regex_with_nested_quantifiers_on_hostile_output_ends() -> None:
    got = await score({"type": "regex", "pattern": "^(a+)+$"}, "a" * 60 + "b")
    assert not got.passed and got.reason.startswith("no match for /^(a+)+$/")


@pytest.mark.timeout(60)
async def test_regex_that_runs_past_its_time_limit_is_a_scorer_error() -> None:
    with pytest.raises(ScorerError, match=r"regex: /\^\(a\|aa\)\+\$/ ran longer than 0.2 s"):
        await score({"type": "regex", "pattern": "^(a|aa)+$", "timeout_s": 0.2}, "a" * 60 + "b")


async def test_regex_keeps_python_semantics() -> None:
    assert (await score({"type": "regex", "pattern": r"^\d+$"}, "123\n")).passed  # $ before a final newline
    assert (await score({"type": "regex", "pattern": r"^\d+$"}, "١٢٣")).passed  # Unicode digits
    assert (await score({"type": "regex", "pattern": r"(\w)\1"}, "book")).passed  # backreference
    assert (await score({"type": "regex", "pattern": r"\d+(?= apples)"}, "7 apples")).passed  # lookahead
    got = await score({"type": "regex", "pattern": r"(?<!-)\b\d+\Z"}, "-5")
    assert not got.passed  # lookbehind, \Z
