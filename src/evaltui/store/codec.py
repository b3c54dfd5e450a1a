"""How values cross into SQLite and back, exactly.

Model output is stored byte-exact. Any Python string that UTF-8 can encode (every character,
NUL and control characters included) is stored as TEXT, so the file stays readable in any SQLite
tool and LIKE searches it. A string with lone surrogates (which UTF-8 cannot hold) is stored as a
BLOB of its `surrogatepass` encoding, and decoded the same way: the two cases never mix up,
because nothing else writes BLOBs into those columns.

JSON columns are written with `ensure_ascii=False` (readable, searchable) unless the value holds
lone surrogates, in which case the escaped ASCII form is used; both decode with `json.loads`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from evaltui.jsoncodec import encoder
from evaltui.records import Result, ScoreRecord

PREVIEW_CHARS = 200
ENCODING = "utf-8"


def encode_text(value: str | None) -> str | bytes | None:
    if value is None or value.isascii():  # isascii is O(1) in CPython: most text needs no check
        return value
    try:
        value.encode(ENCODING)
    except UnicodeEncodeError:
        return value.encode(ENCODING, "surrogatepass")
    return value


def decode_text(value: str | bytes | None) -> str | None:
    if isinstance(value, bytes):
        return value.decode(ENCODING, "surrogatepass")
    return value


def preview(value: str | bytes | None, limit: int = PREVIEW_CHARS) -> str:
    """The first `limit` characters. `value` may be a byte prefix cut inside a character."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = _decode_prefix(value)
    return value[:limit]


def _decode_prefix(value: bytes) -> str:
    """A byte prefix cut anywhere, decoded: a cut-off tail is dropped."""
    for cut in range(4):  # a UTF-8 sequence is at most 4 bytes
        try:
            return value[: len(value) - cut].decode(ENCODING, "surrogatepass")
        except UnicodeDecodeError:
            continue
    return value.decode(ENCODING, "replace")


# Made once (json.dumps builds an encoder a call): the writer thread encodes a result's prompt and
# scores, and saving a suite a case's input, expected value, vars and tags, for every one.
_READABLE = encoder(ensure_ascii=False)
_ASCII = encoder(ensure_ascii=True)


def dump_json(value: Any) -> str:
    """`json.dumps(value, ensure_ascii=False)`, or its ASCII form when SQLite cannot store that
    as UTF-8 (a lone surrogate in a text, say). A value inside itself or nested too deep is
    refused as json.dumps refuses it."""
    return _storable(_READABLE(value), value)


def _storable(text: str, value: Any) -> str:
    """`text`, the readable JSON of `value`, when SQLite can store it as UTF-8; else `value`'s
    ASCII JSON (a lone surrogate in a text, say)."""
    if text.isascii():
        return text
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError:
        return _ASCII(value)
    return text


# What json writes for a text (ensure_ascii=False) and for a finite float: the result writer's
# own JSON below is written with them, piece by piece, as json's encoder would.
_QUOTE = json.encoder.encode_basestring
_FLOAT = float.__repr__
_FINITE = math.isfinite


def prompt_json(prompt: Sequence[Mapping[str, Any]]) -> str:
    """`dump_json(prompt)`, the same text: a result's messages, written directly when each is a
    {"role", "content"} of texts in that order (a rendered prompt's, nearly every result's), the
    writer thread's encoding for every row. Any other message goes through `dump_json`."""
    parts = []
    for message in prompt:
        if type(message) is dict and len(message) == 2:
            role, content = message.get("role"), message.get("content")
            if type(role) is str and type(content) is str and next(iter(message)) == "role":
                parts.append(f'{{"role": {_QUOTE(role)}, "content": {_QUOTE(content)}}}')
                continue
        return dump_json(prompt)
    text = f"[{', '.join(parts)}]"
    return text if text.isascii() else _storable(text, prompt)


def scores_json(scores: Sequence[ScoreRecord]) -> str:
    """`dump_json([score.as_dict() for score in scores])`, the same text, written directly when each
    score's fields have their usual types (texts, a bool, finite floats); else through `dump_json`."""
    parts = []
    for score in scores:
        name, passed, reason = score.name, score.passed, score.reason
        value, weight = _float_json(score.value), _float_json(score.weight)
        plain = type(name) is str and type(reason) is str and type(passed) is bool
        if not plain or value is None or weight is None:
            return dump_json([s.as_dict() for s in scores])
        parts.append(
            f'{{"name": {_QUOTE(name)}, "passed": {"true" if passed else "false"}, "value": {value}, '
            f'"reason": {_QUOTE(reason)}, "weight": {weight}}}'
        )
    text = f"[{', '.join(parts)}]"
    return text if text.isascii() else _storable(text, [s.as_dict() for s in scores])


def _float_json(value: Any) -> str | None:
    """A float as json writes it (its repr), the usual 1.0 and 0.0 without repr's work; None for
    anything else (another type, a float that is not finite): `dump_json` writes those."""
    if type(value) is not float:
        return None
    if value == 1.0:
        return "1.0"
    if value == 0.0:
        return "0.0" if math.copysign(1.0, value) > 0 else "-0.0"
    return _FLOAT(value) if _FINITE(value) else None


def load_json(value: str | bytes | None) -> Any:
    return None if value is None else json.loads(value)


def json_preview(value: str | None, limit: int = PREVIEW_CHARS) -> str:
    """A case input or expected value for a table cell: strings as themselves, others as JSON."""
    data = load_json(value)
    text = data if isinstance(data, str) else "" if data is None else json.dumps(data, ensure_ascii=False)
    return text[:limit]


def like_pattern(term: str) -> str:
    """`%term%` for `LIKE ... ESCAPE '\\'`, with the term's own wildcards taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def json_like_pattern(term: str) -> str:
    """The pattern that finds `term` inside a JSON-encoded string (quotes, newlines escaped)."""
    return like_pattern(dump_json(term)[1:-1])


RESULT_COLUMNS = (
    "run_id", "case_id", "epoch", "status", "output", "prompt", "scores", "value", "latency_ms",
    "tokens_in", "tokens_out", "cost_usd", "attempts", "cached", "error", "finished_at", "judge",
    "tool_calls", "steps",
)  # fmt: skip
RESULT_JSON = ("prompt", "scores")
RESULT_TEXT = ("output", "error")
CASE_JSON = ("input", "expected", "vars", "tags")


def encode_result(result: Result) -> tuple[Any, ...]:
    """A result as the parameters of an insert, in RESULT_COLUMNS order. Spelled out column by
    column: the writer thread runs it for every result, and a loop over the columns costs more."""
    r = result
    return (
        r.run_id,
        r.case_id,
        r.epoch,
        r.status,
        encode_text(r.output),
        prompt_json(r.prompt),  # the messages as rendered: texts
        scores_json(r.scores),
        r.value,
        r.latency_ms,
        r.tokens_in,
        r.tokens_out,
        r.cost_usd,
        r.attempts,
        int(r.cached),
        encode_text(r.error),
        r.finished_at,
        None if r.judge is None else dump_json(r.judge.as_dict()),
        dump_json(r.tool_calls) if r.tool_calls else None,  # NULL when there were none
        dump_json(r.steps) if r.steps else None,
    )


def decode_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row read from results/cases/runs with its JSON, text and boolean columns decoded."""
    for column in (
        *RESULT_JSON,
        *CASE_JSON,
        "model_config",
        "metrics",
        "judge",
        "options",
        "tool_calls",
        "steps",
    ):
        if column in row and row[column] is not None:
            row[column] = load_json(row[column])
    if row.get("cost_unknown"):
        row["cost_usd"] = None  # some answered result had no known price: the total is unknown
    for column in RESULT_TEXT:
        if column in row:
            row[column] = decode_text(row[column])
    if "cached" in row:
        row["cached"] = bool(row["cached"])
    return row
