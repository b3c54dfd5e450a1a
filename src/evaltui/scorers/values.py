"""Small conversions the scorers share: what to compare against, and how to quote it in a reason."""

from __future__ import annotations

import json
from typing import Any

from evaltui.scorers.base import ScoreContext

NO_EXPECTED = "no expected value: set `value` on the scorer or `expected` on the case"
# One shared encoder: json.dumps(..., ensure_ascii=False) builds a new JSONEncoder on every call,
# and every scored case quotes its values.
_READABLE = json.JSONEncoder(ensure_ascii=False)
# A text as JSON, as `_READABLE.encode` writes one (what it calls for a str), without its method
_QUOTED = json.encoder.encode_basestring


def target(option: Any, ctx: ScoreContext) -> Any:
    """The scorer's own `value` option if given, else the case's expected value."""
    found = option if option is not None else ctx.expected
    if found is None:
        raise ValueError(NO_EXPECTED)
    return found


def as_text(value: Any) -> str:
    """Expected values written in YAML may be numbers or booleans; compare them as JSON text."""
    return value if isinstance(value, str) else _READABLE.encode(value)


def quote(value: Any, limit: int = 80) -> str:
    """A value as a short, double-quoted string for a reason line."""
    text = _QUOTED(as_text(value))
    return text if len(text) <= limit else text[: limit - 4] + '…"'
