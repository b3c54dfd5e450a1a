"""records.record: a class it makes behaves as the same class made by `dataclass(frozen=True)`."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import pytest

from evaltui.records import Price, Result, ScoreRecord, quick, record


def twins(slots: bool) -> tuple[type[Any], type[Any]]:
    """One class body, made by record and by dataclass."""

    def body() -> type[Any]:
        class Point:
            x: float
            y: Any = None
            _: KW_ONLY
            label: str = field(default="", compare=False)
            note: str = field(default="", repr=False)
            tags: tuple[str, ...] = field(default=(), hash=False)

        return Point

    return record(frozen=True, slots=slots)(body()), dataclass(frozen=True, slots=slots)(body())


VALUES = [
    ((1.0,), {}),
    ((1.0, 2), {"label": "a"}),
    ((1.0, 2), {"label": "b"}),  # equal to the one above: label is not compared
    ((float("nan"), [1]), {"note": "n", "tags": ("t",)}),
    ((0,), {"tags": ("t", "u")}),
]


@pytest.mark.parametrize("slots", [True, False])
def test_equality_hash_and_repr_are_dataclasses(slots: bool) -> None:
    made, plain = twins(slots)
    for args, kwargs in VALUES:
        a, b = made(*args, **kwargs), plain(*args, **kwargs)
        assert repr(a) == repr(b)
        for other_args, other_kwargs in VALUES:
            assert (a == made(*other_args, **other_kwargs)) == (b == plain(*other_args, **other_kwargs))
        if isinstance(args[-1], list):  # an unhashable value: both refuse
            with pytest.raises(TypeError):
                hash(a)
            with pytest.raises(TypeError):
                hash(b)
        else:
            assert hash(a) == hash(b)
    nan = float("nan")
    assert made(nan) == made(nan)  # the same object compares equal, as in a tuple, as dataclass does
    assert made(1.0) != plain(1.0) and made(1.0).__eq__(object()) is NotImplemented


def test_a_record_is_the_frozen_dataclass_it_says() -> None:
    made, plain = twins(True)
    point = made(1.0, 2, label="a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.x
    assert [f.name for f in dataclasses.fields(point)] == [f.name for f in dataclasses.fields(plain)]
    assert dataclasses.replace(point, x=3.0) == made(3.0, 2, label="a")
    assert dataclasses.asdict(point) == dataclasses.asdict(plain(1.0, 2, label="a"))
    assert pickle.loads(pickle.dumps(Price(1.0, 2.0))) == Price(1.0, 2.0)  # a class pickle can find
    assert not hasattr(point, "__dict__") and made.__match_args__ == plain.__match_args__


def test_a_record_that_holds_itself_shows_dots_as_dataclass_does() -> None:
    made, plain = twins(False)
    a, b = made([]), plain([])
    a.x.append(a)
    b.x.append(b)
    assert repr(a) == repr(b)
    assert repr(a).endswith("Point(x=[...], y=None, label='', tags=())")


def test_evaltuis_records_compare_and_show_as_before() -> None:
    assert Price(1.0, 2.0) == Price(1.0, 2.0) != Price(1.0, 3.0)
    assert hash(Price(1.0, 2.0)) == hash((1.0, 2.0))
    assert repr(ScoreRecord("equals", True, 1.0, "same")) == (
        "ScoreRecord(name='equals', passed=True, value=1.0, reason='same', weight=1.0)"
    )
    result = quick(Result)("r", "c", epoch=1, scores=(ScoreRecord("e", False, 0.0, "no"),))
    assert result == Result("r", "c", epoch=1, scores=(ScoreRecord("e", False, 0.0, "no"),))
    assert repr(result).startswith("Result(run_id='r', case_id='c', epoch=1, position=None,")


@pytest.mark.parametrize("options", [{}, {"frozen": True, "eq": False}, {"frozen": True, "order": True}])
def test_record_refuses_what_it_would_not_make_as_dataclass_does(options: dict[str, Any]) -> None:
    class Loose:
        x: int

    with pytest.raises(TypeError):
        record(**options)(Loose)


def test_record_refuses_a_class_with_its_own_equality() -> None:
    class Own:
        x: int

        def __eq__(self, other: object) -> bool:
            return True

    with pytest.raises(TypeError, match="__eq__"):
        record(frozen=True)(Own)
