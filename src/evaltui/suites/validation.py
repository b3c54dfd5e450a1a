"""Pydantic validation that answers in the suite's own terms: file, line and field.

A `Source` is where a value was written: a YAML document knows a line per field, a JSONL or CSV
case knows one line for all its fields. Error messages never echo the offending value (it may be
long, or a secret someone pasted into the wrong place); they name its type instead.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from evaltui.errors import SuiteError
from evaltui.recordclass import record
from evaltui.suites.yamlnodes import FieldPath, format_path

M = TypeVar("M", bound=BaseModel)


class Source(Protocol):
    @property
    def file(self) -> str: ...

    def line_of(self, path: FieldPath) -> int | None: ...

    def error(self, message: str, path: FieldPath) -> SuiteError: ...


@record(frozen=True, slots=True)
class FlatSource:
    """Every field on one line: a case from a JSONL or CSV file."""

    file: str
    line: int

    def line_of(self, path: FieldPath) -> int | None:
        return self.line

    def error(self, message: str, path: FieldPath) -> SuiteError:
        return SuiteError(message, file=self.file, line=self.line, field=format_path(path) or None)


@functools.cache
def public_keys(model: type[BaseModel]) -> tuple[str, ...]:
    """The keys a user may write for `model` (excluded fields such as `loc` are internal).
    Cached: a 50,000-case file asks it for every key of every case."""
    return tuple(name for name, info in model.model_fields.items() if not info.exclude)


def validate(model: type[M], data: Any, source: Source, path: FieldPath) -> M:
    """`model.model_validate(data)`, with the first error raised as a SuiteError at `path`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A misspelt key also leaves its field missing: name the misspelling, it is the cause.
        error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        where = (*path, *error["loc"])
        raise source.error(_message(model, error), where) from exc


def _message(model: type[BaseModel], error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        if len(error["loc"]) == 1:
            return f"unknown key; expected one of: {', '.join(public_keys(model))}"
        return "unknown key"
    if kind == "value_error":  # a validator's own words (they say what was wrong), not "Value error, …"
        return str(error.get("ctx", {}).get("error", error["msg"]))
    message = str(error["msg"])
    message = message[:1].lower() + message[1:]
    if "input" in error and not kind.startswith(("literal", "enum")):
        message += f" (got {_type_name(error['input'])})"
    return message


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )
