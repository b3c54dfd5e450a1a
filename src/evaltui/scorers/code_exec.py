"""The `code-exec` scorer: run the Python the model wrote against the case's tests.

The code is the first ```python block of the output (else the first bare ``` block, else the whole
output); the tests (asserts or any snippet) are appended and the result runs in the sandbox
(`sandbox.py`). Passing means the script exited cleanly. A hang, a crash, a memory error or a
failing assert is a failing score whose reason says which, with the last lines of stderr. A
sandbox that is missing or does not start is a ScorerError: the case is an error, not a failure.

`sandbox: bwrap` (the default) runs the code under bubblewrap; `sandbox: none` runs it in a plain
child process, for machines without bubblewrap, and only when a suite (or `evaltui run --sandbox
none`, which writes it onto every code-exec scorer) asks: `unsandboxed()` names those scorers so
the CLI can warn on every run, and the suite definition stored with the run records the choice.
"""

from __future__ import annotations

import re
import signal
from typing import Any

from pydantic import Field

from evaltui.scorers.base import Score, ScoreContext
from evaltui.scorers.registry import Options, scorer, verdict
from evaltui.scorers.sandbox import MEMORY_BYTES, NO_PROCESSES, Outcome, Sandbox, run_python

_PYTHON_FENCE = re.compile(r"```[ \t]*(?:python3?|py)[ \t]*\n(.*?)```", re.DOTALL | re.IGNORECASE)
_BARE_FENCE = re.compile(r"```[ \t]*\n(.*?)```", re.DOTALL)
_RAISED = re.compile(r"^(\w+(?:Error|Exception))\b", re.MULTILINE)
STDERR_LINES = 6


class CodeExecOptions(Options):
    tests: str | list[str] | None = None  # else the case var named by tests_var
    tests_var: str = "tests"
    timeout_s: float = Field(default=10.0, gt=0, le=600)
    memory_mb: int = Field(default=MEMORY_BYTES // (1024 * 1024), ge=64, le=16384)
    sandbox: Sandbox = "bwrap"


def extract_code(output: str) -> str:
    for fence in (_PYTHON_FENCE, _BARE_FENCE):
        found = fence.search(output)
        if found:
            return found.group(1)
    return output


def _tests(ctx: ScoreContext, opts: CodeExecOptions) -> str:
    tests: Any = opts.tests if opts.tests is not None else ctx.case.vars.get(opts.tests_var)
    if tests is None:
        raise ValueError(f"no tests: set `tests` on the scorer or the case var {opts.tests_var!r}")
    if isinstance(tests, list):
        return "\n".join(str(line) for line in tests)
    if not isinstance(tests, str):
        raise ValueError(f"the tests must be a string or a list of asserts, not {type(tests).__name__}")
    return tests


@scorer("code-exec", options=CodeExecOptions)
async def code_exec(ctx: ScoreContext, opts: CodeExecOptions) -> Score:
    script = f"{extract_code(ctx.output).rstrip()}\n\n# --- tests ---\n{_tests(ctx, opts)}\n"
    outcome = await run_python(
        script, timeout_s=opts.timeout_s, memory_bytes=opts.memory_mb * 1024 * 1024, sandbox=opts.sandbox
    )
    return judge_outcome(outcome, opts)


def judge_outcome(outcome: Outcome, opts: CodeExecOptions) -> Score:
    if outcome.timed_out:
        return verdict(False, _with_tail(f"timed out after {opts.timeout_s:g} s (killed)", outcome))
    if outcome.returncode == 0:
        return verdict(True, "the code ran and every test passed")
    return verdict(False, _with_tail(_failure(outcome, opts), outcome))


def _failure(outcome: Outcome, opts: CodeExecOptions) -> str:
    code = outcome.returncode or 0
    stderr = outcome.stderr
    if code < 0:
        name = signal.Signals(-code).name
        if -code == signal.SIGXCPU:
            return f"used more than its CPU time ({name})"
        return f"crashed with signal {name}"
    if "MemoryError" in stderr:
        return f"ran out of memory (limit {opts.memory_mb} MB)"
    if NO_PROCESSES in stderr:
        return "tried to start a process, which code-exec does not allow"
    if "BlockingIOError" in stderr or "Resource temporarily unavailable" in stderr:
        return "tried to start too many processes (limit reached)"
    if "AssertionError" in stderr:
        return "a test failed"
    if "SyntaxError" in stderr or "IndentationError" in stderr:
        return "the code does not parse"
    raised = _RAISED.search(stderr)
    return f"raised {raised.group(1)}" if raised else f"exited with code {code}"


def _with_tail(what: str, outcome: Outcome) -> str:
    lines = stderr_lines(outcome.stderr)[-STDERR_LINES:]
    return f"{what}: " + " | ".join(lines) if lines else what


def stderr_lines(stderr: str) -> list[str]:
    """The stderr lines worth reading: traceback frames of the model's code, not of the bootstrap."""
    kept: list[str] = []
    skipping_frame = False
    for raw in stderr.splitlines():
        line = raw.strip()
        if skipping_frame and raw.startswith("    ") and not line.startswith("File "):
            continue  # the source line of a skipped frame
        skipping_frame = False
        if not line or line.startswith("Traceback (most recent call last)") or set(line) <= {"^", "~"}:
            continue
        if line.startswith("File ") and "solution.py" not in line:
            skipping_frame = True
            continue
        kept.append(line)
    return kept
