"""The python scorer: a user's function from a file beside the suite or an importable module."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaltui.errors import ScorerError, SuiteError
from evaltui.scorers import compile_scorer, model_secrets
from evaltui.suites.models import ModelSpec
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

def never_returns(output, expected, case):
    # Hangs without spinning: a spinning thread cannot be stopped and would hold the GIL of this
    # test process for the rest of the session (a scorer's thread is abandoned, not killed).
    import threading
    threading.Event().wait()

async def never_returns_async(output, expected, case):
    import asyncio
    await asyncio.sleep(3600)

def exits(output, expected, case):
    raise SystemExit(3)

async def exits_async(output, expected, case):
    raise SystemExit(3)

def leaks_key(output, expected, case):
    import os
    raise ValueError("bad request with key " + os.environ["EVALTUI_TEST_KEY"])
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


async def test_an_odd_return_fails_and_an_exception_is_a_scorer_error(suite_dir: str) -> None:
    weird = await score({"type": "python", "function": "my_checks:weird"}, "a", suite_dir=suite_dir)
    assert not weird.passed and "returned list" in weird.reason
    with pytest.raises(ScorerError, match="RuntimeError: user bug"):
        await score({"type": "python", "function": "my_checks:explodes"}, "a", suite_dir=suite_dir)


@pytest.mark.parametrize("function", ["my_checks:never_returns", "my_checks:never_returns_async"])
@pytest.mark.timeout(60)
async def test_a_scorer_that_never_returns_times_out_as_an_error(suite_dir: str, function: str) -> None:
    with pytest.raises(ScorerError, match=f"{function} did not return within 0.5 s"):
        await score({"type": "python", "function": function, "timeout_s": 0.5}, "a", suite_dir=suite_dir)


@pytest.mark.parametrize("function", ["my_checks:exits", "my_checks:exits_async"])
async def test_system_exit_in_a_scorer_is_its_error_not_evaltuis_exit(suite_dir: str, function: str) -> None:
    with pytest.raises(ScorerError, match="raised SystemExit: 3"):
        await score({"type": "python", "function": function}, "a", suite_dir=suite_dir)


async def test_a_scorer_error_is_redacted_of_the_models_keys(
    suite_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-scorer-leak-0123456789abcdef"
    monkeypatch.setenv("EVALTUI_TEST_KEY", key)
    secrets = model_secrets([ModelSpec(provider="openai", model="m", api_key_env="EVALTUI_TEST_KEY")])
    written = {"type": "python", "function": "my_checks:leaks_key"}
    with pytest.raises(ScorerError, match="bad request with key") as caught:
        await score(written, "a", suite_dir=suite_dir, secrets=secrets)
    assert key not in str(caught.value) and "[redacted]" in str(caught.value)


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
