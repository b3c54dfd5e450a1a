"""A Python callable as a model: `model: "package.module:function"`.

The function is called as `function(messages, vars)` (or `function(messages)` when it takes one
argument): `messages` is the rendered chat list, `vars` the case's input, expected and vars. It
returns the output string, or a dict `{"output": str, "tokens_in"?, "tokens_out"?, "cost_usd"?,
"tool_calls"?, "steps"?}`: an agent that runs its own tools reports the calls it made (each
`{"name", "arguments", "id"?}`, arguments a JSON value or JSON text) and its steps (a list of
mappings, kept as given) so tool scorers and the Case screen can see them.
An exception raised by the function is a non-retryable ProviderError naming its type and message
(with the value of the spec's `api_key_env`, if any, redacted).

Async functions are awaited on the event loop. A sync function runs in a daemon thread
(`DaemonThreads`: one free, or a new one), not the loop's thread pool, so it never blocks the engine,
and one that never returns is given up when the spec's `timeout_s` passes (the engine's timeout)
without keeping evaltui alive: a pool thread would be waited for at exit, a daemon thread dies with
the process.

What a component prints to `sys.stdout` goes to stderr: evaltui's stdout may be a JSON summary or
an event stream (`--json -`, `--events -`). Output written to file descriptor 1 directly (by
`os.write` or a child process) is not caught.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib
import inspect
import json
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from evaltui.errors import ProviderError
from evaltui.providers.base import BadValue, Completion, Request, ToolCall, check_size
from evaltui.providers.faults import redact
from evaltui.providers.remote import as_cost, as_int
from evaltui.suites.models import ModelSpec


def load_callable(target: str) -> Callable[..., Any]:
    """Import `module:function`; a clear error when either half is wrong."""
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise ProviderError(f"python model {target!r}: write it as 'package.module:function'")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):  # a module it imports is missing
            raise ProviderError(f"python model {target!r}: cannot import {module_name!r}: {exc}") from exc
        raise ProviderError(
            f"python model {target!r}: cannot import {module_name!r}: {exc} (a component is imported from "
            "Python's path: install its package, or add its folder to PYTHONPATH, e.g. PYTHONPATH=. "
            "evaltui run …)"
        ) from exc
    except ImportError as exc:
        raise ProviderError(f"python model {target!r}: cannot import {module_name!r}: {exc}") from exc
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ProviderError(f"python model {target!r}: {module_name!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise ProviderError(f"python model {target!r}: {attr!r} is not callable")
    return obj


_IN_COMPONENT: contextvars.ContextVar[bool] = contextvars.ContextVar("in_python_component", default=False)


class _ComponentStdout:
    """`sys.stdout` once a Python component is loaded: writes made while a component runs (in its
    thread, or in its task on the loop) go to stderr; every other write to the stdout it wraps."""

    def __init__(self, stdout: Any) -> None:
        self._stdout = stdout

    def _target(self) -> Any:
        return sys.stderr if _IN_COMPONENT.get() else self._stdout

    def write(self, text: str) -> int:
        return self._target().write(text)

    def writelines(self, lines: Any) -> None:
        self._target().writelines(lines)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stdout, name)


def _divert_component_stdout() -> None:
    if not isinstance(sys.stdout, _ComponentStdout):
        sys.stdout = _ComponentStdout(sys.stdout)


class _Exited(Exception):
    """SystemExit or KeyboardInterrupt raised by a component: that case's error, not evaltui's exit."""

    def __init__(self, raised: BaseException) -> None:
        super().__init__(f"{type(raised).__name__}: {raised}")


def _component_thread() -> None:
    _IN_COMPONENT.set(True)  # what the thread's calls print goes to stderr


class DaemonThreads:
    """Daemon threads for users' sync functions (components here, python scorers too). A thread that
    has finished a call waits for the next one: starting a thread costs more than a small function's
    call. A call that finds no thread free starts one, so calls never wait for each other, and one
    that never returns (given up at its timeout) keeps only its own thread. Daemon threads, not the
    loop's pool: a thread cannot be killed, a pool thread still running would keep evaltui from
    exiting, a daemon thread dies with the process."""

    def __init__(
        self, name: str, wrap: Callable[[BaseException], Exception], on_start: Callable[[], Any]
    ) -> None:
        self._name = name
        self._wrap = wrap  # what a SystemExit or KeyboardInterrupt the function raised becomes
        self._on_start = on_start
        self._jobs: queue.SimpleQueue[Callable[[], Callable[[], object]]] = queue.SimpleQueue()
        self._idle = 0  # threads waiting for a job none has been handed for
        self._lock = threading.Lock()

    def call(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """`fn(*args)` in one of the threads; its result or exception in a future of this loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()

        def settle(result: Any, error: BaseException | None) -> None:
            if future.done():  # the caller's timeout gave up on it
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

        def job() -> Callable[[], object]:
            try:
                result, error = fn(*args), None
            except BaseException as exc:  # the user's code: anything it raises is its caller's error
                result, error = None, exc if isinstance(exc, Exception) else self._wrap(exc)
            return lambda: loop.call_soon_threadsafe(settle, result, error)

        with self._lock:
            free = self._idle > 0
            if free:
                self._idle -= 1
        self._jobs.put(job)
        if not free:
            threading.Thread(target=self._serve, name=self._name, daemon=True).start()
        return future

    def _serve(self) -> None:
        """Take jobs one after another. The thread counts itself free before the caller's loop
        learns the outcome: a next call made as soon as it does finds this thread free."""
        self._on_start()
        while True:
            hand_over = self._jobs.get()()
            with self._lock:
                self._idle += 1
            with contextlib.suppress(RuntimeError):  # the loop closed while the call ran
                hand_over()
            del hand_over  # an idle thread holds no answer (an output may be megabytes)


async def _in_component(call: Any) -> Any:
    """Await an async component with its stdout diverted (this task's context only)."""
    _IN_COMPONENT.set(True)
    try:
        return await call
    except (SystemExit, KeyboardInterrupt) as exc:
        raise _Exited(exc) from None


_THREADS = DaemonThreads("evaltui-python-model", _Exited, _component_thread)


def _arity(fn: Callable[..., Any]) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: pass both
        return 2
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 2
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return 1 if len(positional) == 1 else 2


class PythonProvider:
    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.fn = load_callable(spec.model)
        self._is_async = inspect.iscoroutinefunction(self.fn)
        self._arity = _arity(self.fn)
        # The function reads its own key; knowing which one lets its errors be redacted.
        key = os.environ.get(spec.api_key_env) if spec.api_key_env else None
        self._secrets = (key,) if key else ()
        _divert_component_stdout()

    def __repr__(self) -> str:
        return f"<PythonProvider {self.spec.model}>"

    async def complete(self, request: Request) -> Completion:
        args: tuple[Any, ...] = (request.messages, request.vars)[: self._arity]
        start = time.perf_counter()
        try:
            if self._is_async:
                result = await asyncio.ensure_future(_in_component(self.fn(*args)))
            else:
                result = await _THREADS.call(self.fn, *args)
        except Exception as exc:  # the user's code: any exception is that case's error
            raised = str(exc) if isinstance(exc, _Exited) else f"{type(exc).__name__}: {exc}"
            message = redact(raised, self._secrets)
            raise ProviderError(f"python model {self.spec.model} raised {message}", retryable=False) from exc
        latency_ms = (time.perf_counter() - start) * 1000
        return self._completion(result, latency_ms)

    def _completion(self, result: Any, latency_ms: float) -> Completion:
        """The function's value as a Completion; numbers out of range and an output past the
        model's `max_response_mb` are that case's error (base.BadValue)."""
        try:
            if isinstance(result, str):
                check_size(result, self.spec.max_response_mb)
                return Completion(text=result, latency_ms=latency_ms)
            if not isinstance(result, dict) or not isinstance(result.get("output"), str):
                raise ProviderError(
                    f"python model {self.spec.model} returned {type(result).__name__}; "
                    "return a str or a dict with a str 'output'",
                    retryable=False,
                )
            check_size(result["output"], self.spec.max_response_mb)
            return Completion(
                text=result["output"],
                tokens_in=as_int(result.get("tokens_in")),
                tokens_out=as_int(result.get("tokens_out")),
                latency_ms=latency_ms,
                cost_usd=as_cost(result.get("cost_usd")),
                raw=result,
                tool_calls=self._tool_calls(result.get("tool_calls")),
                steps=self._steps(result.get("steps")),
            )
        except BadValue as exc:
            raise BadValue(f"python model {self.spec.model}: {exc.message}") from exc

    def _tool_calls(self, value: Any) -> tuple[ToolCall, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(c, dict) and isinstance(c.get("name"), str) for c in value
        ):
            raise ProviderError(
                f"python model {self.spec.model}: 'tool_calls' is a list of mappings with a str 'name'",
                retryable=False,
            )
        return tuple(
            ToolCall.from_value(str(c.get("id") or f"call_{i}"), c["name"], c.get("arguments", {}))
            for i, c in enumerate(value)
        )

    def _steps(self, value: Any) -> tuple[dict[str, Any], ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(step, dict) for step in value):
            raise ProviderError(
                f"python model {self.spec.model}: 'steps' is a list of mappings", retryable=False
            )
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise ProviderError(
                f"python model {self.spec.model}: 'steps' must be JSON values ({exc})", retryable=False
            ) from None
        return tuple(value)

    async def aclose(self) -> None:
        """Nothing to close."""
