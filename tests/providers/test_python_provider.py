"""`provider: python` calls the user's `module:function`, sync or async, and reports its errors."""

from __future__ import annotations

import asyncio
import importlib
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from evaltui.errors import ProviderError
from evaltui.providers import HttpClient, Provider, Request, make_provider
from evaltui.suites.models import ModelSpec

MODULE = """
import asyncio, threading

def echo(messages, vars):
    return messages[-1]["content"] + "|" + str(vars.get("input"))

def one_arg(messages):
    return "only messages: " + messages[0]["content"]

async def slow_upper(messages, vars):
    await asyncio.sleep(0)
    return {"output": messages[-1]["content"].upper(), "tokens_in": 3, "tokens_out": 1, "cost_usd": 0.002}

def which_thread(messages, vars):
    return threading.current_thread().name

def broken(messages, vars):
    raise ValueError("no model behind this door")

def not_text(messages, vars):
    return 42

def exits(messages, vars):
    raise SystemExit(3)

async def exits_async(messages, vars):
    raise SystemExit(4)

THREADS = []  # every thread a call ran in, held so that no two threads can share an id
GATE = threading.Event()

def note_thread(messages, vars):
    THREADS.append(threading.current_thread())
    return "ok"

def waits_for_gate(messages, vars):
    THREADS.append(threading.current_thread())
    GATE.wait(10)
    return "let through"

NOT_CALLABLE = "x"
"""


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> str:
    name = f"evaltui_test_models_{request.node.name.replace('[', '_').replace(']', '_').replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def provider(target: str) -> Provider:
    return make_provider(ModelSpec(provider="python", model=target), HttpClient())


REQUEST = Request(messages=[{"role": "user", "content": "hi"}], vars={"input": "ticket 7"})


async def test_sync_function_gets_messages_and_case_vars(module: str) -> None:
    completion = await provider(f"{module}:echo").complete(REQUEST)
    assert completion.text == "hi|ticket 7" and completion.tokens_in is None


async def test_function_taking_only_messages(module: str) -> None:
    assert (await provider(f"{module}:one_arg").complete(REQUEST)).text == "only messages: hi"


async def test_async_function_returning_a_dict_with_tokens_and_cost(module: str) -> None:
    completion = await provider(f"{module}:slow_upper").complete(REQUEST)
    assert (completion.text, completion.tokens_in, completion.tokens_out) == ("HI", 3, 1)
    assert completion.cost_usd == 0.002


async def test_sync_function_runs_off_the_event_loop_thread(module: str) -> None:
    completion = await provider(f"{module}:which_thread").complete(REQUEST)
    assert completion.text != threading.current_thread().name


async def test_calls_one_after_another_reuse_the_threads_there_are(module: str) -> None:
    """Starting a thread costs more than a small component's call: a thread that has finished a
    call takes the next one. (The threads are the process's: other tests may have left some free.)"""
    model = provider(f"{module}:note_thread")
    there = sum(t.name == "evaltui-python-model" for t in threading.enumerate())
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can: an answer handed over early shows
    try:
        for _ in range(200):
            assert (await model.complete(REQUEST)).text == "ok"
    finally:
        sys.setswitchinterval(switching)
    threads = importlib.import_module(module).THREADS
    assert len(threads) == 200 and len({id(t) for t in threads}) <= max(there, 1)
    assert all(t is not threading.current_thread() and t.daemon for t in threads)


async def test_a_call_still_running_does_not_hold_up_the_next(module: str) -> None:
    """Calls in flight at once run in threads of their own: one that has not returned (a slow
    request, or one the engine's timeout gave up on) leaves the others to a thread that is free."""
    component = importlib.import_module(module)
    blocked = asyncio.ensure_future(provider(f"{module}:waits_for_gate").complete(REQUEST))
    while not component.THREADS:
        await asyncio.sleep(0.01)
    for _ in range(3):
        assert (await provider(f"{module}:note_thread").complete(REQUEST)).text == "ok"
    assert not blocked.done()
    component.GATE.set()
    assert (await blocked).text == "let through"
    first, *others = component.THREADS
    assert all(t is not first for t in others)


async def test_raising_function_is_a_final_error_naming_the_exception(module: str) -> None:
    with pytest.raises(ProviderError) as info:
        await provider(f"{module}:broken").complete(REQUEST)
    assert not info.value.retryable
    assert "ValueError: no model behind this door" in str(info.value)


async def test_wrong_return_type_is_explained(module: str) -> None:
    with pytest.raises(ProviderError, match="returned int; return a str or a dict"):
        await provider(f"{module}:not_text").complete(REQUEST)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_colon_here", "write it as 'package.module:function'"),
        ("evaltui_no_such_module_xyz:f", "cannot import"),
        ("{module}:missing", "has no attribute 'missing'"),
        ("{module}:NOT_CALLABLE", "is not callable"),
    ],
)
def test_bad_targets_fail_when_the_provider_is_made(module: str, target: str, message: str) -> None:
    with pytest.raises(ProviderError, match=message):
        provider(target.format(module=module))


def test_a_module_not_on_pythons_path_says_how_to_put_it_there() -> None:
    """A component written next to the suite is not importable by itself (a console script does
    not put the current folder on Python's path): the error says what to do about it."""
    with pytest.raises(ProviderError, match="PYTHONPATH"):
        provider("evaltui_no_such_module_xyz:f")


@pytest.mark.parametrize(("function", "code"), [("exits", 3), ("exits_async", 4)])
async def test_system_exit_in_a_component_is_its_error_not_evaltuis_exit(
    module: str, function: str, code: int
) -> None:
    with pytest.raises(ProviderError) as info:
        await provider(f"{module}:{function}").complete(REQUEST)
    assert f"raised SystemExit: {code}" in str(info.value) and not info.value.retryable
