"""recordclass.record: a class it makes behaves as the same class made by `dataclass(frozen=True)`."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from dataclasses import KW_ONLY, InitVar, dataclass, field
from typing import Any, ClassVar

import pytest

from evaltui.recordclass import quick, record
from evaltui.records import Price, Result, ScoreRecord


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


@pytest.mark.parametrize("slots", [True, False])
def test_a_records_signature_and_doc_are_dataclasses_before_and_after_its_first_instance(slots: bool) -> None:
    made, plain = twins(slots)
    assert inspect.signature(made) == inspect.signature(plain)
    assert made.__doc__ == plain.__doc__
    made(1.0)
    assert inspect.signature(made) == inspect.signature(plain)
    assert inspect.signature(made.__init__) == inspect.signature(plain.__init__)
    assert made.__init__.__annotations__ == plain.__init__.__annotations__
    assert made.__doc__ == plain.__doc__
    assert made.__dataclass_params__.frozen and made.__dataclass_params__.init


def test_a_records_fields_and_annotations_are_dataclasses() -> None:
    """Annotations are text here (`from __future__ import annotations`), as in evaltui's modules."""

    def body() -> type[Any]:
        class Kept:
            LIMIT: ClassVar[int] = 3
            a: int
            b: list[str] = field(default_factory=list)
            _: KW_ONLY
            c: str | None = None

        return Kept

    made, plain = record(frozen=True, slots=True)(body()), dataclass(frozen=True, slots=True)(body())
    shape = [(f.name, f.type, f.kw_only) for f in dataclasses.fields(plain)]
    assert [(f.name, f.type, f.kw_only) for f in dataclasses.fields(made)] == shape
    assert made.__annotations__ == plain.__annotations__ and made.LIMIT == 3
    assert made(1, c="x") == made(1, [], c="x") and "LIMIT" not in made.__match_args__


@pytest.mark.parametrize("slots", [True, False])
def test_fields_not_in_init_are_set_as_dataclass_sets_them(slots: bool) -> None:
    def body() -> type[Any]:
        class Held:
            a: int
            b: list[int] = field(init=False, default_factory=list)
            c: int = field(init=False, default=3)
            d: int = field(init=False)

            def __post_init__(self) -> None:
                object.__setattr__(self, "d", self.a * 2)

        return Held

    made, plain = record(frozen=True, slots=slots)(body()), dataclass(frozen=True, slots=slots)(body())
    assert made(1) == made(1) and repr(made(1)) == repr(plain(1))
    assert made(1).b is not made(1).b
    with pytest.raises(TypeError):
        made(1, [2])


@pytest.mark.parametrize("slots", [True, False])
def test_a_record_pickles_copies_and_refuses_changes_as_dataclass_does(slots: bool) -> None:
    made, plain = twins(slots)
    point, twin = made(1.0, [2], tags=("t",)), plain(1.0, [2], tags=("t",))
    for value in (point, twin):
        assert copy.copy(value) == value and copy.deepcopy(value) == value
    assert pickle.loads(pickle.dumps(Result("r", "c", epoch=2))) == Result("r", "c", epoch=2)
    for value in (point, twin):
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
            value.x = 2.0
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'y'"):
            del value.y


def test_a_frozen_dataclass_may_derive_from_a_record() -> None:
    @dataclass(frozen=True, slots=True)
    class Derived(ScoreRecord):
        extra: int = 0

    derived = Derived("n", True, 1.0, "r", extra=2)
    assert derived.extra == 2 and derived.name == "n"


def test_a_field_named_self_is_taken_as_dataclass_takes_it() -> None:
    @record(frozen=True, slots=True)
    class Odd:
        self: int

    assert Odd(self=1).self == 1 and Odd(2).self == 2


def test_record_refuses_at_class_creation_what_dataclass_refuses_or_it_cannot_write() -> None:
    class Misordered:
        a: int = 0
        b: int

    with pytest.raises(TypeError, match="non-default argument 'b'"):
        record(frozen=True)(Misordered)

    class WithInitVar:
        a: int
        b: InitVar[int]

    with pytest.raises(TypeError, match="InitVar"):
        record(frozen=True, slots=True)(WithInitVar)
