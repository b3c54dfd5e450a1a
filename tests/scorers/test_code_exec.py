"""code-exec: the model's code runs against the case's tests in a limited, separate process."""

from __future__ import annotations

import pytest

from evaltui.errors import ScorerError
from evaltui.scorers.code_exec import extract_code
from tests.scorers.contexts import score

SOLUTION = """Here is the function:

```python
def add(a, b):
    return a + b
```

It adds two numbers."""
TESTS = ["assert add(1, 2) == 3", "assert add(-1, 1) == 0"]


async def test_a_correct_solution_passes_the_case_tests() -> None:
    got = await score({"type": "code-exec"}, SOLUTION, vars={"tests": TESTS})
    assert got.passed and got.reason == "the code ran and every test passed"


async def test_a_wrong_solution_fails_naming_the_failed_assert() -> None:
    wrong = SOLUTION.replace("a + b", "a - b")
    got = await score({"type": "code-exec", "tests": "assert add(1, 2) == 3, 'add(1, 2)'"}, wrong)
    assert not got.passed and got.reason.startswith("a test failed")
    assert got.reason.endswith("| AssertionError: add(1, 2)") and 'File "solution.py"' in got.reason


async def test_tests_var_picks_another_case_var() -> None:
    written = {"type": "code-exec", "tests_var": "checks"}
    assert (
        await score(written, "def sq(x):\n    return x * x\n", vars={"checks": "assert sq(3) == 9"})
    ).passed


async def test_missing_tests_are_an_error_and_syntax_errors_fail_with_a_reason() -> None:
    with pytest.raises(ScorerError, match="no tests"):
        await score({"type": "code-exec"}, SOLUTION)
    broken = await score({"type": "code-exec", "tests": "assert True"}, "def f(:\n    pass")
    assert not broken.passed and broken.reason.startswith("the code does not parse")


async def test_an_exception_is_named_in_the_reason() -> None:
    got = await score({"type": "code-exec", "tests": "f()"}, "def f():\n    raise NotImplementedError\n")
    assert not got.passed and got.reason.startswith("raised NotImplementedError:")


async def test_an_infinite_loop_times_out_and_fails() -> None:
    got = await score({"type": "code-exec", "tests": "pass", "timeout_s": 1}, "while True:\n    pass\n")
    assert not got.passed and got.reason.startswith("timed out after 1 s")


async def test_a_sleeping_hang_is_killed_at_the_wall_clock_timeout() -> None:
    got = await score({"type": "code-exec", "tests": "pass", "timeout_s": 1}, "import time\ntime.sleep(60)\n")
    assert not got.passed and "timed out" in got.reason


async def test_a_fork_bomb_is_stopped() -> None:
    bomb = "import os\nwhile True:\n    os.fork()\n"
    got = await score({"type": "code-exec", "tests": "pass", "timeout_s": 5}, bomb)
    assert not got.passed
    assert got.reason.startswith(("tried to start a process", "tried to start too many processes"))


async def test_a_memory_hog_is_stopped() -> None:
    hog = "blocks = []\nwhile True:\n    blocks.append(bytearray(50_000_000))\n"
    got = await score({"type": "code-exec", "tests": "pass", "timeout_s": 10, "memory_mb": 256}, hog)
    assert not got.passed and got.reason.startswith("ran out of memory (limit 256 MB)")


async def test_the_code_cannot_see_api_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    leak = "import os, sys\nprint(dict(os.environ), file=sys.stderr)\nraise SystemExit(3)\n"
    got = await score({"type": "code-exec", "tests": "pass"}, leak)
    assert not got.passed and "exited with code 3" in got.reason
    assert "PATH" in got.reason  # the environment was printed and reached the reason...
    assert "sk-test-secret" not in got.reason and "OPENAI_API_KEY" not in got.reason  # ...without the key


async def test_the_code_runs_in_its_own_empty_folder() -> None:
    probe = "import os\nassert sorted(os.listdir('.')) == ['run.py', 'solution.py'], os.listdir('.')\n"
    assert (await score({"type": "code-exec", "tests": "open('scratch.txt', 'w').write('x')"}, probe)).passed


def test_extract_code_prefers_a_python_fence_then_a_bare_fence_then_everything() -> None:
    assert extract_code(SOLUTION).startswith("def add(a, b):")
    assert extract_code("text\n```\nx = 1\n```") == "x = 1\n"
    assert extract_code("x = 2") == "x = 2"


async def test_a_crash_names_its_signal() -> None:
    got = await score({"type": "code-exec", "tests": "pass"}, "import ctypes\nctypes.string_at(0)\n")
    assert not got.passed and got.reason.startswith("crashed with signal SIGSEGV")
