"""Keys are checked before any request: a model that reads its key from a variable that is not set
is refused up front, naming the variable; models that need no key pass."""

from __future__ import annotations

import pytest

from evaltui.errors import EvaltuiError
from evaltui.providers.keys import check_keys
from evaltui.suites.models import ModelSpec

NEEDS = [
    (
        ModelSpec(provider="openai", model="x", base_url="http://127.0.0.1:8000/v1", api_key_env="LOCAL_KEY"),
        "LOCAL_KEY",
    ),
    (ModelSpec(provider="openai", model="gpt-4o-mini"), "OPENAI_API_KEY"),
    (ModelSpec(provider="anthropic", model="claude-sonnet-4-5"), "ANTHROPIC_API_KEY"),
    (ModelSpec(provider="ollama", model="llama3.2", api_key_env="OLLAMA_KEY"), "OLLAMA_KEY"),
]
FREE = [
    ModelSpec(provider="demo", model="keyword"),
    ModelSpec(provider="python", model="pkg.mod:fn", api_key_env="COMPONENT_KEY"),
    ModelSpec(provider="openai", model="qwen", base_url="http://127.0.0.1:8000/v1"),
    ModelSpec(provider="ollama", model="llama3.2"),
]


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LOCAL_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OLLAMA_KEY", "COMPONENT_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(("spec", "variable"), NEEDS, ids=[v for _, v in NEEDS])
def test_a_model_whose_key_variable_is_unset_is_refused_naming_it(spec: ModelSpec, variable: str) -> None:
    with pytest.raises(EvaltuiError) as info:
        check_keys([FREE[0], spec])
    message = str(info.value)
    assert variable in message and spec.id in message


@pytest.mark.parametrize(("spec", "variable"), NEEDS, ids=[v for _, v in NEEDS])
def test_an_empty_variable_is_as_good_as_unset(
    spec: ModelSpec, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, "")
    with pytest.raises(EvaltuiError, match=variable):
        check_keys([spec])


@pytest.mark.parametrize(("spec", "variable"), NEEDS, ids=[v for _, v in NEEDS])
def test_a_set_variable_passes(spec: ModelSpec, variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, "sk-something")
    check_keys([spec])


def test_demo_python_and_keyless_local_models_need_no_key() -> None:
    check_keys(FREE)


def test_every_missing_variable_is_named_at_once() -> None:
    with pytest.raises(EvaltuiError) as info:
        check_keys([spec for spec, _ in NEEDS])
    assert all(variable in str(info.value) for _, variable in NEEDS)
