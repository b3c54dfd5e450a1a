"""The python scorer: a user's function from a file beside the suite or an importable module."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaltui.errors import SuiteError
from evaltui.scorers import compile_scorer
from tests.scorers.contexts import score, spec

CHECKS = """
from evaltui.scorers import Score

def is_polite(output, expected, case):
    return "please" in output.lower()

def overlap(output, expected, case):
    return len(set(output.split()) & set(expected.split())) / len(expected.split())

def as_dict(output, expected, case):
    return {"passed": output == expected, "reason": f"compared to {expected} for {case.id}"}

def as_score(output, expected, case):
    return Score(name="x", passed=False, value=0.25, reason="custom says no")

async def is_async(output, expected, case):
    return output.startswith("ok")

def weird(output, expected, case):
    return ["not", "a", "verdict"]

def explodes(output, expected, case):
    raise RuntimeError("user bug")
"""


@pytest.fixture
def suite_dir(tmp_path: Path) -> str:
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "scoring.py").write_text(CHECKS)
    (tmp_path / "my_checks.py").write_text(CHECKS)
    return str(tmp_path)


async def test_file_function_returning_bool(suite_dir: str) -> None:
    written = {"type": "python", "function": "checks/scoring.py:is_polite"}
    assert (await score(written, "Please wait", suite_dir=suite_dir)).passed
    got = await score(written, "Wait", suite_dir=suite_dir)
    assert not got.passed and "returned False" in got.reason


async def test_module_beside_the_suite_returning_a_number(suite_dir: str) -> None:
    written = {"type": "python", "function": "my_checks:overlap", "threshold": 0.5}
    got = await score(written, "red green", "red green blue", suite_dir=suite_dir)
    assert got.passed and got.value == pytest.approx(2 / 3)
    assert not (await score(written, "red", "red green blue", suite_dir=suite_dir)).passed


async def test_dict_score_and_async_results(suite_dir: str) -> None:
    got = await score({"type": "python", "function": "my_checks:as_dict"}, "a", "a", suite_dir=suite_dir)
    assert got.passed and got.reason == "compared to a for c1"
    custom = await score({"type": "python", "function": "my_checks:as_score"}, "a", suite_dir=suite_dir)
    assert (custom.passed, custom.value, custom.reason, custom.name) == (
        False,
        0.25,
        "custom says no",
        "python",
    )
    assert (
        await score({"type": "python", "function": "my_checks:is_async"}, "ok!", suite_dir=suite_dir)
    ).passed


async def test_odd_return_and_exception_are_failing_scores(suite_dir: str) -> None:
    weird = await score({"type": "python", "function": "my_checks:weird"}, "a", suite_dir=suite_dir)
    assert not weird.passed and "returned list" in weird.reason
    boom = await score({"type": "python", "function": "my_checks:explodes"}, "a", suite_dir=suite_dir)
    assert not boom.passed and "RuntimeError: user bug" in boom.reason


@pytest.mark.parametrize(
    ("function", "message"),
    [
        ("no_colon_here", "write module:function"),
        ("checks/missing.py:f", "no such file"),
        ("checks/scoring.py:nope", "has no function 'nope'"),
        ("no_such_module_xyz:f", "cannot import 'no_such_module_xyz'"),
    ],
)
def test_unloadable_function_is_a_load_time_error(suite_dir: str, function: str, message: str) -> None:
    with pytest.raises(SuiteError, match=message) as caught:
        compile_scorer(spec({"type": "python", "function": function}), suite_dir=suite_dir)
    assert caught.value.field == "scorers[0].function" and caught.value.line == 7
