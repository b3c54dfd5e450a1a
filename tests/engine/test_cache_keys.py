"""The response cache's keys: `CacheKeys` gives exactly the keys earlier versions stored (the
SHA-256 of the whole request's JSON, written at once, `stored_key`), so their entries are still found."""

from __future__ import annotations

import hashlib
import json

import pytest

from evaltui.engine.cache import CacheKeys, cache_keys
from evaltui.providers.base import Request
from evaltui.suites.models import ModelSpec

SPECS = [
    ModelSpec(provider="openai", model="gpt-4o-mini", base_url="http://127.0.0.1:8000/v1", api_key_env="K"),
    ModelSpec(
        provider="anthropic", model="claude", params={"temperature": 0.2, "stop": ["\n", "fin"], "top_k": 5}
    ),
    ModelSpec(provider="ollama", model="qwen:7b", params={"options": {"num_ctx": 4096, "seed": 1}}),
    ModelSpec(provider="demo", model="echo"),
]
REQUESTS = [
    Request(messages=[{"role": "user", "content": "Q: what is 2 + 2?"}]),
    Request(
        messages=[
            {"role": "system", "content": "Réponds en français. 日本語も"},
            {"role": "user", "content": ""},
        ]
    ),
    Request(messages=[{"role": "user", "content": 'a lone surrogate \ud800 and "quotes" \\ slashes'}]),
    Request(
        messages=[{"role": "user", "content": "same text"}],
        params={"ignored": "request params are not keyed"},
    ),
]


def stored_key(spec: ModelSpec, request: Request) -> str:
    """The key as evaltui wrote it before `CacheKeys`: one json.dumps of the whole material."""
    material = {
        "provider": spec.provider,
        "model": spec.model,
        "base_url": spec.base_url,
        "params": spec.params,
        "messages": request.messages,
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


@pytest.mark.parametrize("spec", SPECS, ids=[s.provider for s in SPECS])
def test_the_per_model_keys_are_the_keys_stored_before(spec: ModelSpec) -> None:
    keys = CacheKeys(spec)
    for request in REQUESTS:
        assert keys.key(request) == stored_key(spec, request)
    assert len({keys.key(r) for r in REQUESTS}) == len(REQUESTS)


def test_different_models_never_share_a_key() -> None:
    request = REQUESTS[0]
    assert len({CacheKeys(spec).key(request) for spec in SPECS}) == len(SPECS)


def test_a_python_components_key_follows_its_modules_code(component) -> None:
    module = component("comp", "def answer(messages):\n    return 'v1'\n")
    spec = ModelSpec(provider="python", model=f"{module}:answer")
    first = cache_keys(spec).key(REQUESTS[0])
    assert cache_keys(spec).key(REQUESTS[0]) == first  # unchanged code, same key
    component("comp", "def answer(messages):\n    return 'v2'\n")
    assert cache_keys(spec).key(REQUESTS[0]) != first


def test_a_python_components_key_follows_the_file_its_function_is_defined_in(component) -> None:
    component("impl", "def answer(messages):\n    return 'v1'\n")
    module = component("comp", "from PREFIX_impl import answer\n")
    spec = ModelSpec(provider="python", model=f"{module}:answer")
    first = cache_keys(spec).key(REQUESTS[0])
    component("impl", "def answer(messages):\n    return 'v2'\n")
    assert cache_keys(spec).key(REQUESTS[0]) != first


def test_a_component_whose_code_cannot_be_read_is_never_cached() -> None:
    assert cache_keys(ModelSpec(provider="python", model="math:sqrt")) is None
