"""The response cache: the same provider, model, parameters and rendered request give the
same answer without asking again. Keys are content hashes; the API key is never part of it.

A `python:` component is code, and code changes between runs: its key also holds a hash of its
code (`code_fingerprint`), the source file of the function's module and, when the function is
defined in another file (imported into the module named), that file too. A component changed from
returning "v1" to "v2" is asked again, never answered "v1" from the cache. The key does not follow
the component's other imports: a change in a helper module it calls is not seen (run with
`--no-cache` after such a change). A component whose source cannot be read (a compiled extension,
a builtin) is never cached. Keying by code, rather than turning the cache off for components, keeps
the cache for what it is for: a component that wraps a slow or paid model call.

A cached answer is replayed with the latency it had when it was asked; the result row says
`cached`, and latency figures of a run are the answers asked in it (engine/live_stats.py, analysis/).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from evaltui.errors import ProviderError
from evaltui.providers.base import Completion, Request, ToolCall
from evaltui.suites.models import ModelSpec


class CacheKeys:
    """One model's cache keys: the SHA-256 of the JSON, keys sorted, of the request's provider,
    model, base_url, params and messages (and `code`, a python component's fingerprint). The
    model's part of that JSON is written once; each request adds only its messages. Keys of the
    other providers are exactly those earlier versions stored, so their entries are still found."""

    def __init__(self, spec: ModelSpec, code: str | None = None) -> None:
        dump = _ENCODER.encode
        # Sorted keys: base_url, code, messages, model, params, provider.
        code_part = f'"code": {dump(code)}, ' if code is not None else ""
        self._head = f'{{"base_url": {dump(spec.base_url)}, {code_part}"messages": '
        model, params, provider = dump(spec.model), dump(spec.params), dump(spec.provider)
        self._tail = f', "model": {model}, "params": {params}, "provider": {provider}}}'

    def key(self, request: Request, epoch: int = 0) -> str:
        """Each epoch of a case has its own answer (epoch 0 keeps the plain key). The tools offered
        and the response format are part of the question; a request without them keeps the key
        earlier versions stored."""
        blob = self._head + _ENCODER.encode(request.messages) + self._tail
        if request.tools or request.response_format is not None:
            blob += _ENCODER.encode({"response_format": request.response_format, "tools": request.tools})
        digest = hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()
        return f"{digest}:{epoch}" if epoch else digest


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)  # what json.dumps builds a call


def cache_keys(spec: ModelSpec) -> CacheKeys | None:
    """The model's cache keys; None when its answers must not be cached (a python component
    whose code cannot be read; recorded answers, which are the case's own and never asked)."""
    if spec.provider == "recorded":
        return None
    if spec.provider != "python":
        return CacheKeys(spec)
    code = code_fingerprint(spec.model)
    return CacheKeys(spec, code) if code is not None else None


# target -> (the module it was computed for, its fingerprint). A component is imported once per
# process: hashing the files again later could name code that was edited but is not what runs.
_FINGERPRINTS: dict[str, tuple[ModuleType, str | None]] = {}


def code_fingerprint(target: str) -> str | None:
    """A hash of a `module:function` component's code: its module's source file and the file the
    function is defined in. None when either cannot be read. Computed once for each import of the
    module (the provider has imported it already: this import is a lookup)."""
    from evaltui.providers.python import load_callable  # a python component's run only

    try:
        function = load_callable(target)
    except ProviderError:
        return None
    module = sys.modules.get(target.partition(":")[0])
    if module is None:
        return None
    known = _FINGERPRINTS.get(target)
    if known is not None and known[0] is module:
        return known[1]
    fingerprint = _hash_files({_source_file(module), _source_file(function)})
    _FINGERPRINTS[target] = (module, fingerprint)
    return fingerprint


def _source_file(obj: Any) -> str | None:
    """Where `obj` (a module, function, method, class or callable instance) is written."""
    obj = inspect.unwrap(obj) if inspect.isfunction(obj) else obj
    for candidate in (obj, getattr(obj, "__func__", None), type(obj)):
        if candidate is None:
            continue
        try:
            return inspect.getsourcefile(candidate)
        except TypeError:  # a builtin, or an instance: try what it is made of
            continue
    return None


def _hash_files(paths: set[str | None]) -> str | None:
    """The files' contents (not where they are: a moved project keeps its cache)."""
    if None in paths:
        return None
    try:
        digests = sorted(hashlib.sha256(Path(p).read_bytes()).digest() for p in paths if p is not None)
    except OSError:
        return None
    return hashlib.sha256(b"".join(digests)).hexdigest()


def completion_to_dict(completion: Completion) -> dict[str, Any]:
    return {
        "text": completion.text,
        "tokens_in": completion.tokens_in,
        "tokens_out": completion.tokens_out,
        "latency_ms": completion.latency_ms,
        "cost_usd": completion.cost_usd,
        "model": completion.model,
        **(
            {"tool_calls": [call.as_dict() for call in completion.tool_calls]}
            if completion.tool_calls
            else {}
        ),
        **({"steps": list(completion.steps)} if completion.steps else {}),
    }


def completion_from_dict(data: dict[str, Any]) -> Completion:
    return Completion(
        text=data["text"],
        tokens_in=data.get("tokens_in"),
        tokens_out=data.get("tokens_out"),
        latency_ms=data.get("latency_ms") or 0.0,
        cost_usd=data.get("cost_usd"),
        model=data.get("model"),
        tool_calls=tuple(ToolCall.from_dict(call) for call in data.get("tool_calls") or ()),
        steps=tuple(data.get("steps") or ()),
    )
