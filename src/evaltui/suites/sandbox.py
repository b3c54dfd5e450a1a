"""The Jinja2 environment prompt templates run in: jinja2's sandbox plus bounds on time and memory.

jinja2's `SandboxedEnvironment` stops a template from reaching Python internals, but not from
spending unbounded time or memory: nested `range(99999)` loops, `lipsum(n=100000)`, a power with a
million digits, `'x'|center(10**10)`, or a value doubled forty times each run for minutes or end in
a MemoryError. Here every render gets a budget, and every way a template can build a large value is
checked *before* the value is built:

- loop iterations and calls together (`MAX_STEPS`), counted by wrapping every `{% for %}`'s
  iterable and in `call`;
- characters built by operators, filters, method calls and output together (`MAX_BUILT`);
- any one text, list or the rendered prompt (`MAX_TEXT` characters or items);
- integers (`MAX_INT_BITS`), padding and format widths (`MAX_WIDTH`), lorem ipsum paragraphs
  and words (`MAX_LIPSUM`).

Sizes of values about to be turned into text are estimated without building the text, and
containers shared many times over (a list holding itself twice, forty levels deep) are measured
once each, so the estimate costs one visit per distinct value.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import re
import string
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any

from jinja2 import nodes
from jinja2.filters import make_attrgetter
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2.utils import generate_lorem_ipsum
from jinja2.visitor import NodeTransformer

from evaltui.suites.limits import MAX_TEXT

MAX_BUILT = 50_000_000  # characters built while rendering one prompt, all operations together
MAX_STEPS = 100_000  # loop iterations plus calls while rendering one prompt
MAX_WIDTH = 10_000  # padding and format widths: center, ljust, indent, '%5000d', '{:>5000}'
MAX_INT_BITS = 100_000  # about 30,000 decimal digits
MAX_LIPSUM = 100  # paragraphs, and words a paragraph, of lipsum()

_STEP_FILTER = "evaltui_counted_loop"
_CONCAT_FILTER = "evaltui_checked_concat"
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")
_PADDING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class _Budget:
    """What one render may still spend."""

    __slots__ = ("built", "steps")

    def __init__(self) -> None:
        self.steps = 0
        self.built = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise SecurityError(f"the template ran more than {MAX_STEPS:,} loop iterations and calls")

    def build(self, size: int) -> None:
        self.built += size
        if self.built > MAX_BUILT:
            raise SecurityError(f"the template built more than {MAX_BUILT:,} characters in all")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("template_budget", default=None)


def render_bounded(template: Any, context: dict[str, Any]) -> str:
    """`template.render(context)` within this module's bounds (a SecurityError past one)."""
    token = _BUDGET.set(_Budget())
    try:
        pieces: list[str] = []
        total = 0
        for piece in template.generate(context):
            total += len(piece)
            if total > MAX_TEXT:
                raise SecurityError(f"the rendered prompt is over {MAX_TEXT:,} characters")
            pieces.append(piece)
        return pieces[0] if len(pieces) == 1 else "".join(pieces)
    finally:
        _BUDGET.reset(token)


def text_size(value: Any, limit: int = MAX_TEXT) -> int:
    """About len(str(value)), without building it; counting stops a little past `limit`."""
    if type(value) is str:  # nearly every value: no closure, no memo
        return len(value)
    seen: dict[int, int] = {}

    def size(item: Any) -> int:
        if isinstance(item, str):
            return len(item)
        if isinstance(item, bool) or item is None or isinstance(item, float):
            return 24
        if isinstance(item, int):
            return item.bit_length() * 3 // 10 + 2
        if isinstance(item, (list, tuple, set, frozenset, dict)):
            key = id(item)
            if key in seen:
                return seen[key]
            seen[key] = 5  # a container inside itself prints as [...]
            total = 2
            parts: Iterable[Any] = (p for kv in item.items() for p in kv) if isinstance(item, dict) else item
            for part in parts:
                total += size(part) + 4  # quotes, separator
                if total > limit:
                    break
            seen[key] = total
            return total
        return 100  # other objects (loop, namespace, cycler) print briefly

    return size(value)


def _check_size(size: int, what: str) -> None:
    if size > MAX_TEXT:
        raise SecurityError(f"{what} would be over the limit of {MAX_TEXT:,} characters or items")


def _built(value: Any, what: str) -> Any:
    """Refuse a value past MAX_TEXT; charge the render's budget for building it."""
    if isinstance(value, (str, list, tuple, dict)):
        _check_size(len(value), what)
        budget = _BUDGET.get()
        if budget is not None:
            budget.build(len(value))
    return value


def _check_width(width: Any, what: str) -> None:
    if isinstance(width, int) and width > MAX_WIDTH:
        raise SecurityError(f"{what} width {width} is over the limit of {MAX_WIDTH:,}")


def _int_args(args: Iterable[Any]) -> Iterator[int]:
    return (a for a in args if isinstance(a, int) and not isinstance(a, bool))


def _check_format_spec(fmt: str, args: Iterable[Any], *, percent: bool) -> None:
    """Widths and precisions in a format string (`%5000d` or `{:>5000}`), including those
    taken from the arguments (`%*d`, `{:{w}}`), are at most MAX_WIDTH."""
    from_args = False
    if percent:
        for match in _PERCENT_SPEC.finditer(fmt):
            for number in match.groups():
                if number == "*":
                    from_args = True
                elif number is not None:
                    _check_width(int(number), "format")
    else:
        try:
            fields = list(string.Formatter().parse(fmt))
        except ValueError:
            return  # not a valid format string: formatting it fails on its own
        for _literal, _name, spec, _conversion in fields:
            if spec:
                from_args = from_args or "{" in spec
                for number in _DIGITS.findall(spec):
                    _check_width(int(number), "format")
    if from_args:
        for value in _int_args(args):
            _check_width(value, "format")


def _check_str_method(owner: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Before a method of a text runs: the size of what it would build."""
    if name in _PADDING_METHODS:
        for value in (*_int_args(args), *_int_args(kwargs.values())):
            _check_width(value, name)
    elif name in ("format", "format_map"):
        _check_format_spec(owner, (*args, *kwargs.values()), percent=False)
        _check_size(len(owner) + sum(text_size(a) for a in (*args, *kwargs.values())), name)
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        _check_size(_replaced_size(owner, args[0], args[1]), "replace")
    elif name == "join" and args:
        items = args[0]
        if isinstance(items, (list, tuple)):
            _check_size(sum(text_size(i) for i in items) + len(owner) * len(items), "join")
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
        _check_size(len(owner) * max(longest, 1), "translate")


def _replaced_size(text: str, old: str, new: str, count: int | None = None) -> int:
    times = len(text) + 1 if not old else text.count(old)
    if count is not None and count >= 0:
        times = min(times, count)
    return len(text) + times * (len(new) - len(old))


class _Guards(NodeTransformer):
    """Rewrites a parsed template so the sandbox sees what jinja2 would do unseen: each loop's
    iterable passes through a step counter, and `a ~ b` through a size check before joining."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _STEP_FILTER, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        items = nodes.List(list(node.nodes), lineno=node.lineno)
        return nodes.Filter(items, _CONCAT_FILTER, [], [], None, None, lineno=node.lineno)


def _counted_loop(iterable: Iterable[Any]) -> Iterator[Any]:
    budget = _BUDGET.get()
    for item in iterable:
        if budget is not None:
            budget.step()
        yield item


def _checked_concat(parts: list[Any]) -> str:
    _check_size(sum(text_size(p) for p in parts), "joining with ~")
    return _built("".join(map(str, parts)), "joining with ~")


def _finalize(value: Any) -> Any:
    """Every `{{ ... }}` value, before jinja2 turns it into text."""
    size = len(value) if type(value) is str else text_size(value)
    if size > MAX_TEXT:
        _check_size(size, "the text of a {{ }} value")
    budget = _BUDGET.get()
    if budget is not None:
        budget.build(size)
    return value


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    for value in (n, min, max):
        if isinstance(value, int) and value > MAX_LIPSUM:
            raise SecurityError(f"lipsum() argument {value} is over the limit of {MAX_LIPSUM}")
    return generate_lorem_ipsum(n=n, html=html, min=min, max=max)


def _precheck_filter(name: str, arguments: dict[str, Any]) -> None:
    """Before a filter that can build far more than it is given runs: that size."""
    if name == "center":
        _check_width(arguments.get("width"), "center")
    elif name == "indent":
        width = arguments.get("width", 4)
        text = str(arguments.get("s", ""))
        pad = len(width) if isinstance(width, str) else width
        _check_width(pad, "indent")
        _check_size(len(text) + (text.count("\n") + 1) * int(pad or 0), "indent")
    elif name == "format":
        value = arguments.get("value")
        given = (*arguments.get("args", ()), *arguments.get("kwargs", {}).values())
        if isinstance(value, str):
            _check_format_spec(value, given, percent=True)
            _check_size(len(value) + sum(text_size(a) for a in given), "format")
    elif name == "wordwrap":
        text, width = str(arguments.get("s", "")), arguments.get("width", 79)
        wrap = arguments.get("wrapstring") or "\n"
        if isinstance(width, int) and width > 0:
            _check_size(len(text) + (len(text) // width + 1) * len(str(wrap)), "wordwrap")
    elif name == "replace":
        old, new = arguments.get("old"), arguments.get("new")
        if isinstance(old, str) and isinstance(new, str):
            _check_size(
                _replaced_size(str(arguments.get("s", "")), old, new, arguments.get("count")), "replace"
            )
    elif name in ("string", "tojson", "pprint"):
        _check_size(text_size(arguments.get("value")), name)


def _listed(arguments: dict[str, Any], key: str) -> list[Any] | tuple[Any, ...]:
    """Make the filter's iterable argument a list (so it can be measured and then used)."""
    items = arguments.get(key)
    if not isinstance(items, (list, tuple)):
        items = list(items) if isinstance(items, Iterable) else items
        arguments[key] = items
    return items if isinstance(items, list | tuple) else []


def _precheck_sequence_filter(name: str, arguments: dict[str, Any]) -> None:
    """join and sum: their output is as big as their items together."""
    key = "value" if name == "join" else "iterable"
    items = _listed(arguments, key)
    attribute = arguments.get("attribute")
    if attribute is not None:
        env = arguments.get("environment") or arguments["eval_ctx"].environment
        items = [make_attrgetter(env, attribute)(item) for item in items]
    if name == "join":
        separator = len(str(arguments.get("d", "")))
        _check_size(sum(text_size(i) for i in items) + separator * len(items), "join")
    elif not isinstance(arguments.get("start", 0), (int, float)):
        _check_size(sum(len(i) for i in items if isinstance(i, (str, list, tuple))), "sum")


_SIZED_FILTERS = ("center", "indent", "format", "wordwrap", "replace", "string", "tojson", "pprint")


def _guarded_filter(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` with its result's size checked and charged; filters that can build far more than they
    are given are also checked before they run."""
    if name in ("join", "sum"):
        precheck: Callable[[str, dict[str, Any]], None] | None = _precheck_sequence_filter
    else:
        precheck = _precheck_filter if name in _SIZED_FILTERS else None
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if precheck is not None:
            bound = signature.bind(*args, **kwargs)
            precheck(name, bound.arguments)
            args, kwargs = bound.args, bound.kwargs
        return _built(fn(*args, **kwargs), f"the {name} filter's result")

    return guarded


class BoundedSandbox(SandboxedEnvironment):
    """jinja2's sandbox with this module's bounds; templates come from `compile_bounded`."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=_finalize, **options)
        self.filters = {name: _guarded_filter(name, fn) for name, fn in self.filters.items()}
        self.filters[_STEP_FILTER] = _counted_loop
        self.filters[_CONCAT_FILTER] = _checked_concat
        self.globals["lipsum"] = _lipsum

    def compile_bounded(self, source: str) -> Any:
        """A Template of `source` with its loops and `~` joins guarded."""
        tree = self.parse(source)
        return self.from_string(_Guards().visit(tree))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return _built(super().call_binop(context, operator, left, right), f"the result of {operator}")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _BUDGET.get()
        if budget is not None:
            budget.step()
        target = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped by the sandbox
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str):
            _check_str_method(owner, getattr(target, "__name__", ""), args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        return _built(result, "a call's result")

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one plain dict rather than jinja2's ChainMap over the
        environment's: rendering copies them into every context, and copying a ChainMap took most
        of the time of rendering a 50,000-case suite. This environment's globals never change after
        start-up, which is what the ChainMap would follow."""
        return {**self.globals, **(d or {})}


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Before `left operator right`: the size of the result."""
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
                _check_size(len(seq) * times, f"repeating a value {times} times")
        if isinstance(left, int) and isinstance(right, int):
            _check_bits(left.bit_length() + right.bit_length())
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        _check_bits(max(left.bit_length() - 1, 1) * right)
    elif operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        _check_size(len(left) + len(right), "adding these values")
    elif operator == "%" and isinstance(left, str):
        given = right if isinstance(right, tuple) else (right,)
        _check_format_spec(left, given, percent=True)
        _check_size(len(left) + sum(text_size(a) for a in given), "formatting with %")


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise SecurityError(f"the result would be a number of over {MAX_INT_BITS:,} bits")
