"""The `python` scorer: a user's own function, imported when the suite is prepared.

`function: module:function` (importable, or a module beside the suite) or
`function: path/to/file.py:function` (relative to the suite). It is called as
`fn(output, expected, case)`, sync or async, and may return a bool, a number 0..1, a dict
(`passed`/`pass`, `value`/`score`, `reason`) or a `Score`.

A function that does not return within `timeout_s` makes the case an error. A sync function runs
in a daemon thread (providers.python.DaemonThreads: one free, or a new one), not the event loop's
pool: a thread cannot be killed, and a pool thread stuck in an endless loop would keep evaltui from
exiting when the run ends; a daemon thread dies with the process. An async function is awaited on
the event loop and cancelled at the timeout (one that blocks the loop without awaiting cannot be
interrupted: write it sync).
Anything it raises, SystemExit included, is the scorer's error, not evaltui's exit.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationInfo, model_validator

from evaltui.errors import ScorerError
from evaltui.providers.python import DaemonThreads
from evaltui.scorers.base import Score, ScoreContext
from evaltui.scorers.registry import OptionError, Options, compile_context, scorer, verdict


class PythonOptions(Options):
    function: str
    threshold: float = Field(default=0.5, ge=0, le=1)  # a number at or above it passes
    timeout_s: float = Field(default=60.0, gt=0, le=3600)
    _fn: Callable[..., Any] | None = PrivateAttr(default=None)

    @property
    def fn(self) -> Callable[..., Any]:
        if self._fn is None:
            raise RuntimeError("the python scorer was not compiled")
        return self._fn

    @model_validator(mode="after")
    def _import(self, info: ValidationInfo) -> PythonOptions:
        self._fn = load_function(self.function, compile_context(info.context).suite_dir)
        return self


def load_function(ref: str, suite_dir: str) -> Callable[..., Any]:
    where, _, name = ref.rpartition(":")
    if not where or not name:
        raise OptionError("function", f"write module:function or file.py:function, not {ref!r}")
    try:
        module = _load_file(Path(suite_dir) / where) if where.endswith(".py") else _import(where, suite_dir)
    except OptionError:
        raise
    except Exception as exc:  # importing user code can raise anything; report it at load time
        raise OptionError("function", f"cannot import {where!r}: {type(exc).__name__}: {exc}") from None
    fn = getattr(module, name, None)
    if not callable(fn):
        raise OptionError("function", f"{where!r} has no function {name!r}")
    return fn


def _load_file(path: Path) -> Any:
    if not path.is_file():
        raise OptionError("function", f"no such file {str(path)!r}")
    spec = importlib.util.spec_from_file_location(f"evaltui_scorer_{abs(hash(str(path.resolve())))}", path)
    if spec is None or spec.loader is None:
        raise OptionError("function", f"cannot load {str(path)!r} as Python")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _import(name: str, suite_dir: str) -> Any:
    """Import a module, also finding one that sits beside the suite."""
    added = suite_dir not in sys.path
    if added:
        sys.path.insert(0, suite_dir)
    try:
        return importlib.import_module(name)
    finally:
        if added:
            sys.path.remove(suite_dir)


@scorer("python", options=PythonOptions)
async def python(ctx: ScoreContext, opts: PythonOptions) -> Score:
    fn = opts.fn
    args = (ctx.output, ctx.expected, ctx.case)
    call = _guarded(fn(*args)) if inspect.iscoroutinefunction(fn) else _THREADS.call(fn, *args)
    try:
        result = await asyncio.wait_for(call, opts.timeout_s)
    except TimeoutError:
        raise ScorerError(f"{opts.function} did not return within {opts.timeout_s:g} s") from None
    return to_score(result, opts.threshold, opts.function)


async def _guarded(call: Awaitable[Any]) -> Any:
    """Await user code, turning its SystemExit into an error (in a task it would stop the loop)."""
    try:
        return await call
    except SystemExit as exc:
        raise _raised(exc) from None


def _raised(error: BaseException) -> ScorerError:
    return ScorerError(f"the scorer raised {type(error).__name__}: {error}")


_THREADS = DaemonThreads("evaltui-python-scorer", _raised, lambda: None)


def to_score(result: Any, threshold: float, ref: str) -> Score:
    if isinstance(result, Score):
        return result
    if isinstance(result, bool):
        return verdict(result, f"{ref} returned {result}")
    if isinstance(result, int | float):
        number = float(result)
        return verdict(number >= threshold, f"{ref} returned {number:g} (threshold {threshold:g})", number)
    if isinstance(result, dict):
        passed = result.get("passed", result.get("pass"))
        value = result.get("value", result.get("score"))
        reason = str(result.get("reason", f"{ref} returned {result!r}"))
        if passed is None:
            if value is None:
                return verdict(False, f"{ref} returned a dict without `passed` or `value`: {result!r}")
            passed = float(value) >= threshold
        return verdict(bool(passed), reason, None if value is None else float(value))
    kind = type(result).__name__
    return verdict(False, f"{ref} returned {kind}; return a bool, a number, a dict or a Score")
