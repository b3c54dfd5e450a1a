"""Prompt templates: Jinja2 in a sandbox, undefined variables are errors, autoescape off.

A suite's `prompt:` (one user message) or `messages:` (a chat list) are templates. They see
`input`, `expected`, every case var by name, and `case` (`case.id`, `case.tags`, `case.cluster`).
A suite with neither renders the case's input as the one user message.

Templates are compiled once (`compile_templates`, at load, so syntax errors surface before any
model is asked) and cached by their text, so `render_messages` runs once per case at the cost of
a dict lookup and the render itself. A template that is only text and `{{ name }}` (most prompts)
is rendered without Jinja when every value it names is a text: the text with the values put in, which
is what Jinja would render (`_plain`); anything else, or a value of another type, goes through
Jinja. Most such templates (text without braces, `{{ name }}` written plainly) are recognised
without Jinja's parser (`_simple`), and Jinja is imported only for a template that needs it, so a
run of such a suite never loads it. The sandbox (`sandbox.py`) refuses attribute access to
Python internals (`{{ ''.__class__.__mro__ }}`) and bounds what a render may spend: loop
iterations, the size of any value and of the prompt, numbers, padding widths.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from evaltui.errors import SuiteError
from evaltui.suites.limits import MAX_TEXT
from evaltui.suites.models import Case, Suite

if TYPE_CHECKING:
    from jinja2 import Template

    from evaltui.suites.sandbox import BoundedSandbox

_DEFAULT_PROMPT = "{{ input }}"
_RUNTIME_ERRORS = (
    TypeError,
    ValueError,
    ArithmeticError,
    LookupError,
    AttributeError,
    RecursionError,
    MemoryError,
)


def template_fields(suite: Suite, case: Case | None = None) -> list[tuple[str, str, str]]:
    """(field, role, template text) of every template the case is asked with, in message order. A
    case with its own `messages:` (a conversation) is asked with those, after the suite's system
    messages; others with the suite's `messages:` or `prompt:`."""
    if case is not None and case.messages:
        system = [(f, r, t) for f, r, t in template_fields(suite) if r == "system"]
        own = [(f"messages[{i}].content", m.role, m.content) for i, m in enumerate(case.messages)]
        return system + own
    if suite.messages:
        return [(f"messages[{i}].content", m.role, m.content) for i, m in enumerate(suite.messages)]
    return [("prompt", "user", suite.prompt if suite.prompt is not None else _DEFAULT_PROMPT)]


def compile_templates(suite: Suite, *, text_lines: Mapping[str, int] | None = None) -> None:
    """Compile every template of `suite`, raising a SuiteError on the first syntax error.

    `text_lines` maps a field ("prompt", "messages[1].content") to the file line its text starts
    on, so the error names the line of the bad tag; without it the suite's own line is used.
    """
    for field, _role, source in template_fields(suite):
        if _plain(source) is not None:
            continue  # text and names: nothing to compile, nothing that could be wrong
        from jinja2 import TemplateSyntaxError

        try:
            _compile(source)
        except TemplateSyntaxError as exc:
            start = (text_lines or {}).get(field)
            line = start + exc.lineno - 1 if start is not None and exc.lineno else None
            if line is None and suite.loc is not None:
                line = suite.loc.line
            raise SuiteError(
                f"template syntax error: {exc.message}", file=_suite_file(suite), line=line, field=field
            ) from exc


def compile_case_templates(suite: Suite, case: Case) -> None:
    """Compile a case's own `messages:`; a syntax error names the case's line and field."""
    prefix = f"{case.loc.field}." if case.loc is not None and case.loc.field else ""
    for index, message in enumerate(case.messages or ()):
        if _plain(message.content) is not None:
            continue
        from jinja2 import TemplateSyntaxError

        try:
            _compile(message.content)
        except TemplateSyntaxError as exc:
            field = f"{prefix}messages[{index}].content"
            raise _case_error(suite, case, field, f"template syntax error: {exc.message}") from exc


def render_messages(suite: Suite, case: Case) -> list[dict[str, str]]:
    """The chat messages a model sees for `case`: [{"role": ..., "content": ...}, ...]."""
    context: dict[str, Any] | None = None  # built for the first template Jinja renders
    messages: list[dict[str, str]] = []
    for field, role, source in template_fields(suite, case):
        parts = _plain(source)
        content = _put_in(parts, case) if parts is not None else None
        if content is not None:
            messages.append({"role": role, "content": content})
            continue
        if context is None:
            context = {
                **case.vars,
                "input": case.input,
                "expected": case.expected,
                "case": {"id": case.id, "tags": case.tags, "cluster": case.cluster},
            }
        messages.append({"role": role, "content": _render(suite, case, field, source, context)})
    return messages


def render_check(suite: Suite) -> Callable[[Case], object]:
    """`render_messages` for a walk that renders each case of `suite` only to find its errors (the
    loader's): when every template of the suite is plain, a case without messages of its own whose
    every name is a text of the case, within MAX_TEXT, is one `_put_in` renders, which cannot
    fail: it is checked so, without the messages made; any other case is rendered."""
    plain = [_plain(source) for _, _, source in template_fields(suite)]
    if any(parts is None for parts in plain):
        return functools.partial(render_messages, suite)
    fixed = [(sum(len(text) for text, is_name in parts if not is_name), parts) for parts in plain if parts]

    def check(case: Case) -> object:
        if case.messages:
            return render_messages(suite, case)
        for size, parts in fixed:
            for name, is_name in parts:
                if is_name:
                    value = _value(name, case)
                    if type(value) is not str:
                        return render_messages(suite, case)
                    size += len(value)
            if size > MAX_TEXT:
                return render_messages(suite, case)
        return None

    return check


def _render(suite: Suite, case: Case, field: str, source: str, context: dict[str, Any]) -> str:
    """A template rendered by Jinja in the sandbox; its errors as SuiteErrors naming the case."""
    from jinja2 import TemplateError, TemplateSyntaxError
    from jinja2.sandbox import SecurityError

    from evaltui.suites.sandbox import render_bounded

    try:
        return render_bounded(_compile(source), context)
    except TemplateSyntaxError:
        compile_templates(suite)  # raises with the field and line
        compile_case_templates(suite, case)
        raise
    except SecurityError as exc:
        raise _case_error(suite, case, field, f"the sandbox refused: {exc}") from exc
    except TemplateError as exc:
        names = ", ".join(["input", "expected", "case", *case.vars])
        raise _case_error(suite, case, field, f"{exc.message or exc} (this case has: {names})") from exc
    except _RUNTIME_ERRORS as exc:
        raise _case_error(suite, case, field, f"template failed: {type(exc).__name__}: {exc}") from exc


@functools.lru_cache(maxsize=512)
def _compile(source: str) -> Template:
    return _environment().compile_bounded(source)


@functools.cache
def _environment() -> BoundedSandbox:
    """The sandbox every template Jinja renders runs in, made (and Jinja imported) on first use."""
    from jinja2 import StrictUndefined

    from evaltui.suites.sandbox import BoundedSandbox

    return BoundedSandbox(undefined=StrictUndefined, autoescape=False)


# A template of text and `{{ name }}` only: its pieces in order, each (text, False) or (name, True).
Plain = tuple[tuple[str, bool], ...]
# Names Jinja gives a meaning of its own inside a template, whatever the context holds.
_JINJA_NAMES = frozenset({"self", "loop", "super", "varargs", "kwargs", "caller"})
# What `_simple` reads: text without braces or carriage returns, and `{{ name }}` written plainly.
_NAME = re.compile(r"\{\{ *([A-Za-z_][A-Za-z0-9_]*) *\}\}")
_TEXT = re.compile(r"[^{}\r]*")
# Names `_simple` leaves to Jinja's parser: its constants and operators, and the names above.
_NOT_SIMPLE = _JINJA_NAMES | {
    "true", "false", "none", "True", "False", "None", "not", "and", "or", "in", "is", "if", "else",
}  # fmt: skip


@functools.lru_cache(maxsize=512)
def _plain(source: str) -> Plain | None:
    """The pieces of a template that is only text and `{{ name }}` (comments and raw blocks
    allowed: the parser leaves their text), else None."""
    simple = _simple(source)
    return simple if simple is not None else _parsed(source)


def _simple(source: str) -> Plain | None:
    """`_parsed(source)` without Jinja, for a template of text without braces or carriage returns
    and `{{ name }}` placeholders (the one final line break dropped, as Jinja's lexer drops it);
    None for any other template."""
    parts = _NAME.split(source)
    if not all(_TEXT.fullmatch(text) for text in parts[::2]) or _NOT_SIMPLE.intersection(parts[1::2]):
        return None
    if parts[-1].endswith("\n"):
        parts[-1] = parts[-1][:-1]
    return tuple((part, index % 2 == 1) for index, part in enumerate(parts) if part)


def _parsed(source: str) -> Plain | None:
    """The pieces of a template that is only text and `{{ name }}`, as Jinja's parser reads it, so
    whitespace control and the dropped trailing newline are as Jinja renders them. A syntax error
    is None: Jinja's render raises it."""
    from jinja2 import TemplateSyntaxError, nodes

    try:
        tree = _environment().parse(source)
    except TemplateSyntaxError:
        return None
    pieces: list[tuple[str, bool]] = []
    for output in tree.body:
        if not isinstance(output, nodes.Output):
            return None
        for node in output.nodes:
            if isinstance(node, nodes.TemplateData):
                pieces.append((node.data, False))
            elif isinstance(node, nodes.Name) and node.ctx == "load" and node.name not in _JINJA_NAMES:
                pieces.append((node.name, True))
            else:
                return None
    return tuple(pieces)


def _put_in(parts: Plain, case: Case) -> str | None:
    """A plain template rendered for `case`: each name's value put in when it is a text (a
    `str`: Jinja renders it as itself; the sandbox's bounds cannot be reached by a join within
    MAX_TEXT). None when a value is not a text, is not the case's, or the prompt would be too long:
    Jinja renders it (or raises, naming the case)."""
    pieces = []
    for text, is_name in parts:
        if is_name:
            value = _value(text, case)
            if type(value) is not str:
                return None
            text = value
        pieces.append(text)
    content = "".join(pieces)
    return content if len(content) <= MAX_TEXT else None


def _value(name: str, case: Case) -> Any:
    """What `name` in a plain template stands for in `case`; None for `case` (Jinja renders it)."""
    if name == "input":
        return case.input
    if name == "expected":
        return case.expected
    return None if name == "case" else case.vars.get(name)


def _suite_file(suite: Suite) -> str | None:
    return suite.loc.file if suite.loc is not None else (suite.path or None)


def _case_error(suite: Suite, case: Case, field: str, message: str) -> SuiteError:
    if case.loc is not None:
        return SuiteError(message, file=case.loc.file, line=case.loc.line, field=field)
    return SuiteError(f"case {case.id!r}: {message}", file=_suite_file(suite), field=field)
