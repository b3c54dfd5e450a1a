"""recordclass.quick: the makers of the records built for every case give what the classes give."""

from __future__ import annotations

import dataclasses
from dataclasses import KW_ONLY, InitVar, dataclass, field
from typing import Any

import pytest

from evaltui.providers.base import BadValue, Completion, Request, ToolCall
from evaltui.recordclass import quick
from evaltui.records import JudgeUsage, Result, ScoreRecord
from evaltui.scorers.base import ScoreContext
from evaltui.suites.models import Case
from evaltui.suites.validation import FlatSource

CASE = Case(id="c1", input="hi")
EXAMPLES: list[tuple[type[Any], dict[str, Any]]] = [
    (Result, {"run_id": "r", "case_id": "c"}),
    (
        Result,
        {
            "run_id": "r",
            "case_id": "c",
            "epoch": 2,
            "status": "pass",
            "output": "A",
            "prompt": ({"role": "user", "content": "Q"},),
            "scores": (ScoreRecord("equals", True, 1.0, "same"),),
            "value": 1.0,
            "latency_ms": 3.5,
            "tokens_in": 2,
            "tokens_out": 1,
            "cost_usd": 0.25,
            "attempts": 3,
            "cached": True,
            "error": None,
            "finished_at": 12.5,
            "judge": JudgeUsage(1, 2, 3, 0.5),
            "tool_calls": ({"name": "f"},),
            "steps": ({"text": "x"},),
            "vars": {"k": "v"},
            "tags": ("a",),
            "cluster": "k",
        },
    ),
    (FlatSource, {"file": "cases.jsonl", "line": 7}),
    (ScoreRecord, {"name": "n", "passed": False, "value": 0.5, "reason": "why", "weight": 2.0}),
    (Completion, {"text": "t"}),
    (
        Completion,
        {
            "text": "t",
            "tokens_in": 1,
            "tokens_out": 2,
            "latency_ms": 4.0,
            "cost_usd": 0.1,
            "model": "m",
            "raw": {},
            "tool_calls": (ToolCall("i", "f", {}, "{}"),),
        },
    ),
    (Request, {"messages": [{"role": "user", "content": "q"}]}),
    (
        Request,
        {
            "messages": [],
            "params": {"t": 1},
            "case_id": "c",
            "vars": {"v": 1},
            "tools": [{}],
            "response_format": {"type": "json_object"},
            "recorded": {"output": "o"},
        },
    ),
    (
        ScoreContext,
        {
            "output": "o",
            "expected": "e",
            "case": CASE,
            "completion": None,
            "prompt": [],
            "suite_dir": ".",
            "steps": 2,
            "finished": False,
        },
    ),
]


@pytest.mark.parametrize(("cls", "given"), EXAMPLES)
def test_a_quick_maker_gives_what_the_class_gives(cls: type[Any], given: dict[str, Any]) -> None:
    made, built = quick(cls)(**given), cls(**given)
    assert type(made) is cls and made == built
    for f in dataclasses.fields(cls):
        assert getattr(made, f.name) is getattr(built, f.name) or f.default_factory is not dataclasses.MISSING
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.__setattr__(dataclasses.fields(cls)[0].name, None)
    assert dataclasses.replace(made) == built


def test_a_quick_maker_takes_arguments_as_the_class_does() -> None:
    make = quick(Result)
    assert make("r", "c", epoch=1) == Result("r", "c", epoch=1)
    for wrong in ((), ("r", "c", 1), ("r",)):
        with pytest.raises(TypeError):
            Result(*wrong)  # type: ignore[call-arg,misc]
        with pytest.raises(TypeError):
            make(*wrong)  # type: ignore[call-arg,misc]
    with pytest.raises(TypeError):
        make("r", "c", nope=1)  # type: ignore[call-arg]


def test_a_quick_maker_gives_each_record_its_own_default_from_a_factory() -> None:
    make = quick(Result)
    first, second = make("r", "a"), make("r", "b")
    assert first.vars == {} and first.vars is not second.vars


def test_a_quick_maker_runs_the_checks_of_post_init() -> None:
    with pytest.raises(BadValue, match="tokens_in"):
        quick(Completion)(text="x", tokens_in=-1)
    with pytest.raises(BadValue, match="cost"):
        quick(Completion)(text="x", cost_usd=float("nan"))


def test_quick_refuses_what_it_cannot_make_as_the_class_makes_it() -> None:
    @dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclass(frozen=True, slots=True)
    class WithInitVar:
        a: int
        b: InitVar[int]

        def __post_init__(self, b: int) -> None: ...

    @dataclass(frozen=True, slots=True)
    class NotInInit:
        a: int
        _: KW_ONLY
        b: list[int] = field(default_factory=list, init=False)

    @dataclass(frozen=True, slots=True)
    class Derived(ScoreRecord):
        extra: int = 0

    for cls in (NoSlots, WithInitVar, NotInInit, Derived):
        with pytest.raises(TypeError):
            quick(cls)
