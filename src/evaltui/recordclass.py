"""How evaltui's record classes are made: `record`, which makes a frozen dataclass at less cost to
a start-up, and `quick`, a cheaper maker of a record built for every case of a run.

`record(frozen=True, ...)` gives the same frozen dataclass as `dataclass(frozen=True, ...)`
(fields, `__init__`, `replace`, `asdict`, pickling, equality, hash, repr), but writes the class's
`__init__` the first time the class makes an instance, and shares one frozen `__setattr__` and
`__delattr__` among all the classes it makes: a start-up imports many records it never makes.
mypy checks a record as the dataclass it is.

`quick(Class)` gives a function that takes what `Class(...)` takes and returns an equal instance
without a frozen dataclass's `object.__setattr__` per field: the records the engine, providers and
scorers build once a case (evaltui.records holds the records themselves).

Standard library only: every layer may import it, evaltui.records among them.
"""

from __future__ import annotations

import inspect
import reprlib
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:  # what mypy checks a record against: the dataclass it is
    from dataclasses import dataclass as record
else:

    def record(cls: Any = None, /, **options: Any) -> Any:
        """`dataclass(cls, frozen=True, **options)`: the same frozen dataclass (fields, `__init__`,
        `replace`, `asdict`, pickling, `__dataclass_params__`), compared, hashed and shown as
        `dataclass` would: `==` by the fields' values between instances of one class, the hash of
        those values, the `Class(field=value, ...)` repr. `dataclass` writes `__init__`,
        `__setattr__` and `__delattr__` (and `__eq__`, `__hash__`, `__repr__`) as source text for
        each class and compiles them, at import, which is most of what a class costs a start-up:
        here the others are functions made in Python, and `__init__` is written and compiled the
        first time the class makes an instance (most records a run imports, it never makes)."""
        if cls is None:
            return lambda cls: record(cls, **options)
        if not options.get("frozen") or {"eq", "repr", "order", "unsafe_hash", "init"} & options.keys():
            raise TypeError("record() makes frozen dataclasses, compared and shown as dataclass() does")
        defined = {"__eq__", "__hash__", "__repr__", "__init__", "__setattr__", "__delattr__"}
        defined &= cls.__dict__.keys()
        if defined:
            raise TypeError(f"{cls.__name__} defines {', '.join(sorted(defined))}: use dataclass()")
        undocumented = not cls.__doc__
        if undocumented:  # else dataclass writes one from the signature, which would write __init__
            cls.__doc__ = cls.__name__
        # dataclass looks for ClassVar, InitVar and KW_ONLY in each annotation written as text (all of
        # them, under `from __future__ import annotations`) by matching and resolving the text:
        # annotations that cannot be one of those are shown to it as a plain type meanwhile.
        written = inspect.get_annotations(cls)
        plain = {name: text for name, text in written.items() if isinstance(text, str) and _plain(text)}
        cls.__annotations__ = {**written, **dict.fromkeys(plain, object)}
        made = dataclass(cls, init=False, eq=False, repr=False, **{**options, "frozen": False})
        made.__annotations__ = written
        for f in made.__dataclass_fields__.values():
            f.type = plain.get(f.name, f.type)
        made_fields = fields(made)
        _check_fields(made, made_fields)
        params = made.__dataclass_params__  # what dataclass(frozen=True) says of the class it makes
        params.init = params.repr = params.eq = params.frozen = True
        compared = _values([f.name for f in made_fields if f.compare])
        hashed = _values([f.name for f in made_fields if (f.compare if f.hash is None else f.hash)])
        shown = [f.name for f in made_fields if f.repr]

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return compared(self) == compared(other)
            return NotImplemented

        def __hash__(self: Any) -> int:
            return hash(hashed(self))

        @reprlib.recursive_repr()
        def __repr__(self: Any) -> str:
            values = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
            return f"{self.__class__.__qualname__}({values})"

        for method in (__eq__, __hash__, __repr__):
            method.__qualname__ = f"{made.__qualname__}.{method.__name__}"
            setattr(made, method.__name__, method)
        made.__init__ = _stand_in(made)
        made.__signature__ = _FromInit("signature")
        if undocumented:
            made.__doc__ = _FromInit("doc")
        made.__setattr__, made.__delattr__ = _frozen_setattr, _frozen_delattr
        if "__slots__" in made.__dict__:  # pickle restores a slotted instance through setattr
            made.__getstate__, made.__setstate__ = _getstate, _setstate
        return made


def _plain(annotation: str) -> bool:
    """Whether an annotation's text cannot name a ClassVar, an InitVar or KW_ONLY."""
    return "ClassVar" not in annotation and "InitVar" not in annotation and "KW_ONLY" not in annotation


def _check_fields(made: Any, made_fields: tuple[Field[Any], ...]) -> None:
    """Refuse at class creation what `dataclass` would refuse as it wrote `__init__`, and what a
    written-later `__init__` does not take (an `InitVar`)."""
    names = {f.name for f in made_fields}
    if any(name not in names and "InitVar" in str(f.type) for name, f in made.__dataclass_fields__.items()):
        raise TypeError(f"{made.__name__} has an InitVar: use dataclass()")
    seen_default = False
    for f in made_fields:
        if not f.init or f.kw_only:
            continue
        if f.default is not MISSING or f.default_factory is not MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")


def _stand_in(made: Any) -> Callable[..., None]:
    """`made.__init__` until its first call, which writes the real one (`_written_init`)."""

    def __init__(self: Any, /, *args: Any, **kwargs: Any) -> None:
        _written_init(made)(self, *args, **kwargs)

    __init__.__qualname__ = f"{made.__qualname__}.__init__"
    return __init__


_STAND_IN = _stand_in(object).__code__  # every stand-in's


class _FromInit:
    """A record's `__signature__`, and its `__doc__` when it has none, as `dataclass` gives them,
    read from its written `__init__` when they are asked for (writing it if need be)."""

    def __init__(self, what: Literal["signature", "doc"]) -> None:
        self.what = what

    def __get__(self, instance: Any, owner: Any) -> Any:
        if instance is not None and self.what == "signature":
            raise AttributeError("__signature__")  # an instance's is its __call__'s, if any
        signature = inspect.signature(_written_init(owner))
        signature = signature.replace(parameters=list(signature.parameters.values())[1:])
        if self.what == "signature":
            return signature
        return owner.__name__ + str(signature).replace(" -> None", "")


def _written_init(made: Any) -> Callable[..., None]:
    """`made.__init__` as `dataclass(frozen=True)` writes it (each field set through
    `object.__setattr__`, defaults, factories, keyword-only fields, `__post_init__`), compiled and
    put in place of the stand-in the first time it is asked for."""
    current = made.__init__
    if getattr(current, "__code__", None) is not _STAND_IN:
        return current
    self_name = "__dataclass_self__" if "self" in {f.name for f in fields(made)} else "self"
    names: dict[str, Any] = {"__record_set__": object.__setattr__, "__record_factory__": _FACTORY}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for f in fields(made):
        default, factory = f"__record_default_{f.name}__", f"__record_factory_{f.name}__"
        if f.default is not MISSING:
            names[default] = f.default
        elif f.default_factory is not MISSING:
            names[factory] = f.default_factory
        if f.init:
            names[f"__record_type_{f.name}__"] = f.type
            param = f"{f.name}: __record_type_{f.name}__"
            if f.default is not MISSING:
                param += f"={default}"
            elif f.default_factory is not MISSING:
                param += "=__record_factory__"
            (keyword if f.kw_only else positional).append(param)
            value = f.name
            if f.default_factory is not MISSING:
                value = f"{factory}() if {f.name} is __record_factory__ else {f.name}"
        elif f.default is not MISSING:
            value = default
        elif f.default_factory is not MISSING:
            value = f"{factory}()"
        else:
            continue  # not set by __init__ (its __post_init__ may set it)
        body.append(f"    __record_set__({self_name}, {f.name!r}, {value})")
    if hasattr(made, "__post_init__"):
        body.append(f"    {self_name}.__post_init__()")
    params = ", ".join([self_name, *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({params}) -> None:\n" + "\n".join(body or ["    pass"])
    exec(compile(source, "<record>", "exec", dont_inherit=True), names)  # annotations not strings
    init = names["__init__"]
    init.__qualname__ = f"{made.__qualname__}.__init__"
    init.__module__ = made.__module__
    made.__init__ = init
    return init


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for f, value in zip(fields(self), state, strict=False):
        object.__setattr__(self, f.name, value)


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A record's values of `names`, as a tuple (what dataclass's methods compare and hash)."""
    if len(names) > 1:
        return attrgetter(*names)
    return lambda self: tuple(getattr(self, name) for name in names)


R = TypeVar("R")


def quick(cls: type[R]) -> type[R]:
    """A maker of the frozen, slotted dataclass `cls` for records built once a case of a run: it
    takes what `cls(...)` takes (mypy checks calls as it does the class's) and gives an equal `cls`,
    several times cheaper. A frozen dataclass's own `__init__` sets each field through
    `object.__setattr__`, a slow call; this one sets them as plain attributes of an instance of a
    twin class with the same slots, then makes it a `cls` (assigning `__class__`, which Python
    allows between classes of one layout) and runs its `__post_init__`. Not a class: never use it
    for isinstance."""
    record: Any = cls
    if not getattr(record, "__dataclass_params__", None) or "__slots__" not in record.__dict__:
        raise TypeError(f"{record.__name__} is not a slotted dataclass")
    if record.__bases__ != (object,):  # a base's slots would not be the twin's: not one layout
        raise TypeError(f"{record.__name__} has a base class")
    twin = type(f"_{record.__name__}Twin", (object,), {"__slots__": record.__slots__})
    names: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls, "_FACTORY": _FACTORY}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for f in fields(record):
        if not f.init:
            raise TypeError(f"{cls.__name__}.{f.name} is not set by __init__")
        param = f.name
        if f.default is not MISSING:
            names[f"_d_{f.name}"] = f.default
            param += f"=_d_{f.name}"
            body.append(f"    self.{f.name} = {f.name}")
        elif f.default_factory is not MISSING:
            names[f"_f_{f.name}"] = f.default_factory
            param += "=_FACTORY"
            body.append(f"    self.{f.name} = _f_{f.name}() if {f.name} is _FACTORY else {f.name}")
        else:
            body.append(f"    self.{f.name} = {f.name}")
        (keyword if f.kw_only else positional).append(param)
    params = ", ".join([*positional, *(["*", *keyword] if keyword else [])])
    post = ["    self.__post_init__()"] if hasattr(cls, "__post_init__") else []
    lines = ["    self = _new(_twin)", *body, "    self.__class__ = _cls", *post, "    return self"]
    exec(f"def make({params}):\n" + "\n".join(lines), names)  # as dataclasses writes __init__
    make = names["make"]
    # A record's __init__ takes its fields, no more (record refuses an InitVar): not written to be
    # compared. Another dataclass's may take an InitVar, say: not for this maker.
    written = getattr(record.__init__, "__code__", None) is not _STAND_IN
    if written and _params_of(make) != _params_of(record.__init__)[1:]:
        raise TypeError(f"{cls.__name__} takes more than its fields")
    make.__qualname__ = make.__name__ = f"quick({cls.__name__})"
    return make


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"  # as dataclass shows such a default in a signature


_FACTORY = _Factory()  # "no value given" for a field whose default comes from a factory


def _params_of(call: Any) -> list[tuple[str, Any]]:
    return [(p.name, p.kind) for p in inspect.signature(call).parameters.values()]
