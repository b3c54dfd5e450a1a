"""Structured-output scorers: is it JSON, does it fit a schema, is a field right.

`json-schema` and `json-path` read the output by default, or a tool call's arguments with
`source: tool_call[N].arguments` (N counts from 0 over every call of the case; -1 is the last)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from evaltui.scorers.base import Score, ScoreContext
from evaltui.scorers.jsontext import MISSING, Parsed, Step, find_json, parse_path, walk
from evaltui.scorers.registry import OptionError, Options, compile_context, scorer, verdict
from evaltui.scorers.values import NO_EXPECTED, quote

_TOOL_SOURCE = re.compile(r"tool_call\[(-?\d+)\]\.arguments")


def _check_source(source: str) -> str:
    if source != "output" and not _TOOL_SOURCE.fullmatch(source):
        raise OptionError("source", "source is `output` or `tool_call[N].arguments`")
    return source


def json_of(ctx: ScoreContext, source: str) -> Parsed | str:
    """The JSON value a scorer reads: the output's, or a tool call's arguments; else why there is none."""
    found = _TOOL_SOURCE.fullmatch(source)
    if found is None:
        return find_json(ctx.output)
    index, calls = int(found.group(1)), ctx.tool_calls
    if not -len(calls) <= index < len(calls):
        return f"there is no tool_call[{index}]: the model made {len(calls)} tool call(s)"
    call = calls[index]
    if call.malformed:
        return f"the arguments of tool_call[{index}] ({call.name}) are not valid JSON"
    return Parsed(call.arguments, f"the arguments of tool_call[{index}] ({call.name})")


@scorer("json-valid")
def json_valid(ctx: ScoreContext, opts: Options) -> Score:
    found = find_json(ctx.output)
    if isinstance(found, Parsed):
        return verdict(True, f"valid JSON in {found.source}")
    return verdict(False, found)


class SchemaOptions(Options):
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    schema_file: str | None = None
    source: str = "output"
    _validator: Any = PrivateAttr(default=None)

    @field_validator("source")
    @classmethod
    def _source(cls, source: str) -> str:
        return _check_source(source)

    @model_validator(mode="after")
    def _build(self, info: ValidationInfo) -> SchemaOptions:
        if (self.schema_ is None) == (self.schema_file is None):
            raise OptionError("schema", "give exactly one of `schema` (inline) or `schema_file`")
        schema, option = self.schema_, "schema"
        if self.schema_file is not None:
            suite_dir = compile_context(info.context).suite_dir
            schema, option = _read_schema(self.schema_file, suite_dir), "schema_file"
        import jsonschema  # here, not at the top: it takes longer to import than the rest of a command

        cls = jsonschema.validators.validator_for(schema)
        try:
            cls.check_schema(schema)
        except jsonschema.SchemaError as exc:
            # A file's content is not echoed: the path in the schema and the rule it breaks.
            where = "".join(f"[{p!r}]" for p in exc.absolute_path)
            detail = exc.message if option == "schema" else f"{exc.validator!r} fails at schema{where}"
            raise OptionError(option, f"not a valid JSON schema: {detail}") from None
        self._validator = cls(schema)
        return self


def _read_schema(name: str, suite_dir: str) -> Any:
    """The schema file, confined like case files to the suite's folder and below. Errors never
    quote the file's content (it need not be a schema: it could be any JSON the user can read)."""
    folder = Path(suite_dir).resolve()
    if Path(name).is_absolute():
        raise OptionError("schema_file", "give the schema file relative to the suite's folder")
    path = (folder / name).resolve()
    if not path.is_relative_to(folder):
        raise OptionError(
            "schema_file", f"{name!r} leads outside the suite's folder; keep schema files in it or below"
        )
    if path.exists() and not path.is_file():
        raise OptionError("schema_file", f"the schema file {name!r} is not a regular file")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        message = f"cannot read the schema file {name!r}: {exc.strerror}"
        raise OptionError("schema_file", message) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise OptionError("schema_file", f"the schema file {name!r} is not JSON: {exc}") from None


@scorer("json-schema", options=SchemaOptions)
def json_schema(ctx: ScoreContext, opts: SchemaOptions) -> Score:
    found = json_of(ctx, opts.source)
    if not isinstance(found, Parsed):
        return verdict(False, found)
    from jsonschema.exceptions import best_match  # imported once a schema was compiled (above)

    error = best_match(opts._validator.iter_errors(found.value))
    if error is None:
        return verdict(True, f"{found.source} matches the schema")
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return verdict(False, f"schema violation at {where}: {error.message}")


class PathOptions(Options):
    path: str
    equals: Any = None
    contains: Any = None
    exists: bool | None = None
    source: str = "output"
    _steps: tuple[Step, ...] = PrivateAttr(default=())

    @field_validator("source")
    @classmethod
    def _source(cls, source: str) -> str:
        return _check_source(source)

    @field_validator("path")
    @classmethod
    def _parses(cls, path: str) -> str:
        try:
            parse_path(path)
        except ValueError as exc:
            raise OptionError("path", str(exc)) from None
        return path

    @model_validator(mode="after")
    def _steps_once(self) -> PathOptions:
        checks = [self.equals is not None, self.contains is not None, self.exists is not None]
        if sum(checks) > 1:
            raise OptionError("equals", "give at most one of `equals`, `contains`, `exists`")
        self._steps = parse_path(self.path)
        return self


@scorer("json-path", options=PathOptions)
def json_path(ctx: ScoreContext, opts: PathOptions) -> Score:
    found = json_of(ctx, opts.source)
    if not isinstance(found, Parsed):
        return verdict(False, found)
    actual = walk(found.value, opts._steps)
    if opts.exists is not None:
        there = actual is not MISSING
        return verdict(there == opts.exists, f"{opts.path} {'exists' if there else 'is missing'}")
    if actual is MISSING:
        return verdict(False, f"{opts.path} is missing from the output")
    if opts.contains is not None:
        return _contains(opts.path, actual, opts.contains)
    wanted = opts.equals if opts.equals is not None else _expected_at(ctx.expected, opts._steps)
    if actual == wanted:
        return verdict(True, f"{opts.path} equals {quote(wanted)}")
    return verdict(False, f"{opts.path}: expected {quote(wanted)}, got {quote(actual)}")


def _contains(path: str, actual: Any, wanted: Any) -> Score:
    if isinstance(actual, str):
        ok = isinstance(wanted, str) and wanted in actual
    else:
        ok = isinstance(actual, list | dict) and wanted in actual
    if ok:
        return verdict(True, f"{path} contains {quote(wanted)}")
    return verdict(False, f"{path} does not contain {quote(wanted)}: got {quote(actual)}")


def _expected_at(expected: Any, steps: tuple[Step, ...]) -> Any:
    """The case's expected value at the same path (it may be the whole expected object, or JSON
    text of it), else the expected value itself when it is a plain value."""
    if isinstance(expected, str):
        try:
            expected = json.loads(expected)
        except json.JSONDecodeError:
            return expected
    if isinstance(expected, dict | list):
        at = walk(expected, steps)
        if at is MISSING:
            raise ValueError("the case's expected object has nothing at this path; set `equals`")
        return at
    if expected is None:
        raise ValueError(NO_EXPECTED.replace("`value`", "`equals`"))
    return expected
