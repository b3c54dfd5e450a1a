"""A Python callable as a model: `model: "package.module:function"`.

The function is called as `function(messages, vars)` (or `function(messages)` when it takes one
argument): `messages` is the rendered chat list, `vars` the case's input, expected and vars. It
returns the output string, or a dict `{"output": str, "tokens_in"?, "tokens_out"?, "cost_usd"?}`.
Async functions are awaited; sync ones run in a worker thread so they never block the engine.
An exception raised by the function is a non-retryable ProviderError naming its type and message
(with the value of the spec's `api_key_env`, if any, redacted).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import time
from collections.abc import Callable
from typing import Any

from evaltui.errors import ProviderError
from evaltui.providers.base import BadValue, Completion, Request, check_size
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

    def __repr__(self) -> str:
        return f"<PythonProvider {self.spec.model}>"

    async def complete(self, request: Request) -> Completion:
        args: tuple[Any, ...] = (request.messages, request.vars)[: self._arity]
        start = time.perf_counter()
        try:
            if self._is_async:
                result = await self.fn(*args)
            else:
                result = await asyncio.to_thread(self.fn, *args)
        except Exception as exc:  # the user's code: any exception is that case's error
            message = redact(f"{type(exc).__name__}: {exc}", self._secrets)
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
            )
        except BadValue as exc:
            raise BadValue(f"python model {self.spec.model}: {exc.message}") from exc

    async def aclose(self) -> None:
        """Nothing to close."""
