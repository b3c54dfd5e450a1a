"""Finding JSON in a model's answer, and walking a simple path into it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_FENCE = re.compile(r"```[ \t]*(json|JSON)?[ \t]*\n(.*?)```", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Parsed:
    value: Any
    source: str  # "the whole output" or "a ```json block"


def find_json(output: str) -> Parsed | str:
    """The JSON value of the whole output, else of its first fenced block that parses.
    Returns the parse error (a string) when there is none."""
    try:
        return Parsed(json.loads(output), "the whole output")
    except json.JSONDecodeError as exc:
        error = f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    for match in _FENCE.finditer(output):
        try:
            return Parsed(json.loads(match.group(2)), "a ```json block")
        except json.JSONDecodeError as exc:
            error = f"the fenced block is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    return error


Step = str | int
_TOKEN = re.compile(r"""\.?([A-Za-z_][\w-]*)|\[(-?\d+)\]|\[(["'])(.*?)\3\]""")
MISSING = object()


def parse_path(path: str) -> tuple[Step, ...]:
    """`$.invoice.total`, `items[0].sku`, `$["odd key"]` -> ("invoice", "total") ... ."""
    rest = path.strip()
    rest = rest.removeprefix("$")
    steps: list[Step] = []
    at = 0
    while at < len(rest):
        match = _TOKEN.match(rest, at)
        if not match or match.end() == at:
            raise ValueError(f"cannot read the path {path!r} at {rest[at:]!r}; write it like $.items[0].sku")
        name, index, _, quoted = match.groups()
        steps.append(name if name is not None else int(index) if index is not None else quoted)
        at = match.end()
    return tuple(steps)


def walk(value: Any, steps: tuple[Step, ...]) -> Any:
    """The value at the path, or MISSING."""
    for step in steps:
        by_index = isinstance(step, int) and isinstance(value, list) and -len(value) <= step < len(value)
        by_key = isinstance(step, str) and isinstance(value, dict) and step in value
        if not (by_index or by_key):
            return MISSING
        value = value[step]
    return value
