"""Engine fixtures: suites written to a tmp folder and loaded by the real loader, a real store.
Async tests run on both event loops evaltui runs on (tests/loops.py): headless runs go on uvloop.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.loops import LoopFactory, both_loops

from evaltui.engine import PreparedSuite, prepare
from evaltui.store import Store
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec


@pytest.fixture
def store(tmp_db_path: Path) -> Iterator[Store]:
    db = Store(tmp_db_path)
    yield db
    db.close()


@pytest.fixture
def make_suite(tmp_path: Path) -> Callable[..., PreparedSuite]:
    """A suite of `n` cases asking "Q: case-i"; the fake API answers "CASE-I" (upper-cased echo),
    so a case passes when expected is upper-case and fails otherwise (every third case)."""

    def make(n: int = 10, *, extra: str = "") -> PreparedSuite:
        rows = [
            {"id": f"c{i}", "input": f"case-{i}", "expected": f"case-{i}" if i % 3 == 2 else f"CASE-{i}"}
            for i in range(n)
        ]
        (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        path = tmp_path / "suite.yaml"
        path.write_text(
            f"name: engine-test\nprompt: 'Q: {{{{ input }}}}'\n{extra}"
            "scorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
        )
        return prepare(load_suite(path))

    return make


@pytest.fixture
def api_model(fake_api, monkeypatch: pytest.MonkeyPatch) -> Callable[..., ModelSpec]:
    monkeypatch.setenv("ENGINE_TEST_KEY", "sk-engine-test-secret")

    def make(**overrides) -> ModelSpec:
        fields = {
            "provider": "openai",
            "model": "fake",
            "base_url": fake_api.base_url,
            "api_key_env": "ENGINE_TEST_KEY",
            "max_retries": 2,
            "timeout_s": 5,
        }
        return ModelSpec(**(fields | overrides))

    return make


@pytest.fixture
def component(tmp_path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    """Write python components into tmp_path and import them afresh, as a new process would."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # no .pyc of the same second and size
    prefix = f"evaltui_cache_{request.node.name.replace('[', '_').replace(']', '_').replace('-', '_')}"

    def write(name: str, source: str) -> str:
        module = f"{prefix}_{name}"
        (tmp_path / f"{module}.py").write_text(source.replace("PREFIX_", f"{prefix}_"))
        for loaded in [m for m in sys.modules if m.startswith(prefix)]:
            del sys.modules[loaded]
        importlib.invalidate_caches()
        return module

    return write


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, LoopFactory]:
    return both_loops()
