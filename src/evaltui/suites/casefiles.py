"""Case files: `.jsonl` (one JSON object a line) and `.csv` (a header row, then one case a row).

Both are streamed line by line from a binary file, so a 50 MB file costs one pass and each bad
byte, bad line or bad row is reported with its line number.

CSV columns: `id`, `input`, `expected`, `tags` and `cluster` are the case's own fields, `output`,
`latency_ms`, `tokens_in`, `tokens_out`, `cost_usd` and `model` its recorded answer (the `recorded`
model); every other column becomes a template variable of that name (`{{ customer_tier }}`). Cells are text.
An empty `id` means "derive it from the content", an empty `expected` means "no expected value",
an empty `cluster` means none; `tags` is split on `;` or `,` with blanks dropped. The header must
have an `input` column, no column twice, and every row as many cells as the header.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from evaltui.errors import SuiteError
from evaltui.jsoncodec import decoded
from evaltui.suites.yamlnodes import MAX_DEPTH, decode_text

CASE_FILE_SUFFIXES = (".jsonl", ".csv")
CSV_CASE_COLUMNS = ("id", "input", "expected", "tags", "cluster")
# A recorded answer's columns (the `recorded` model); an empty cell means "not given".
CSV_RECORDED_COLUMNS = ("output", "latency_ms", "tokens_in", "tokens_out", "cost_usd", "model")
_TAG_SPLIT = re.compile(r"[;,]")

RawCase = tuple[int, dict[str, Any]]  # (line number, the case's fields as written)


def iter_case_file(path: Path, display: str, seen: Callable[[bytes], Any] | None = None) -> Iterator[RawCase]:
    """Yield (line, fields) for every case in a `.jsonl` or `.csv` file, in file order. `seen` is
    given each line's bytes as read (a digest's `update`: suites/caselist.py checks with it that a
    file is unchanged since the suite was loaded)."""
    suffix = path.suffix.lower()
    if suffix not in CASE_FILE_SUFFIXES:
        raise SuiteError(f"case files must end in .jsonl or .csv, not {suffix or 'nothing'!r}", file=display)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise SuiteError(f"cannot read the case file ({exc.strerror or exc})", file=display) from exc
    with handle:
        if suffix == ".jsonl":
            yield from _iter_jsonl(handle, display, seen)
        else:
            yield from _iter_csv(handle, display, seen)


def _text_lines(
    handle: BinaryIO, display: str, seen: Callable[[bytes], Any] | None
) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(handle, start=1):
        if seen is not None:
            seen(raw)
        yield number, decode_text(raw, display, first_line=number)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different: json.loads would keep the last of two."""
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return value


# One decoder for every line: json.loads with a hook builds a new one a call.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)


def _iter_jsonl(handle: BinaryIO, display: str, seen: Callable[[bytes], Any] | None) -> Iterator[RawCase]:
    for number, text in _text_lines(handle, display, seen):
        if not text.strip():
            continue
        if text.count("[") + text.count("{") > MAX_DEPTH:
            _check_depth(text, display, number)
        try:
            value = decoded(_DECODER, text)
        except json.JSONDecodeError as exc:
            # past the line's own text (its newline counted): the object is cut short, not wrong
            # at "column 1" of a next line
            short = exc.pos >= len(text.rstrip("\r\n"))
            where = "at the end of the line" if short else f"at column {exc.colno}"
            raise SuiteError(f"invalid JSON {where}: {exc.msg}", file=display, line=number) from exc
        except _DuplicateKey as exc:
            raise SuiteError(
                "duplicate key in this line's object", file=display, line=number, field=exc.key
            ) from None
        if not isinstance(value, dict):
            raise SuiteError(
                f"each line must be a JSON object, not {type(value).__name__}", file=display, line=number
            )
        yield number, value


def _check_depth(text: str, display: str, number: int) -> None:
    """Refuse JSON nested deeper than a YAML suite may be, before the parser recurses into it.
    Only lines with that many brackets are scanned; brackets inside strings do not count."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise SuiteError(
                    f"values are nested more than {MAX_DEPTH} levels deep", file=display, line=number
                )
        elif char in "]}":
            depth -= 1


def _iter_csv(handle: BinaryIO, display: str, seen: Callable[[bytes], Any] | None) -> Iterator[RawCase]:
    physical = _text_lines(handle, display, seen)
    reader = csv.reader(text for _, text in physical)
    header: list[str] | None = None
    row_start = 1
    try:
        for row in reader:
            if header is None:
                header = _check_header(row, display)
            elif any(cell.strip() for cell in row):
                if len(row) != len(header):
                    raise SuiteError(
                        f"row has {len(row)} cells but the header has {len(header)}",
                        file=display,
                        line=row_start,
                    )
                yield row_start, _csv_case(dict(zip(header, row, strict=True)))
            row_start = reader.line_num + 1
    except csv.Error as exc:
        raise SuiteError(f"CSV syntax error: {exc}", file=display, line=reader.line_num) from exc
    if header is None:
        raise SuiteError("the CSV file is empty; it needs a header row with an `input` column", file=display)


def _check_header(row: list[str], display: str) -> list[str]:
    header = [cell.strip() for cell in row]
    seen: set[str] = set()
    for name in header:
        if not name:
            raise SuiteError("a header cell is empty; every column needs a name", file=display, line=1)
        if name in seen:
            raise SuiteError(f"column {name!r} appears twice in the header", file=display, line=1)
        seen.add(name)
    if "input" not in seen:
        raise SuiteError("the header has no `input` column", file=display, line=1, field="input")
    return header


def _csv_case(cells: dict[str, str]) -> dict[str, Any]:
    case: dict[str, Any] = {"input": cells["input"]}
    if cells.get("id", "").strip():
        case["id"] = cells["id"].strip()
    if cells.get("expected", ""):
        case["expected"] = cells["expected"]
    if "tags" in cells:
        case["tags"] = [tag.strip() for tag in _TAG_SPLIT.split(cells["tags"]) if tag.strip()]
    if cells.get("cluster", "").strip():
        case["cluster"] = cells["cluster"].strip()
    for name in CSV_RECORDED_COLUMNS:
        if name in cells and (cells[name] != "" if name == "output" else cells[name].strip()):
            case[name] = cells[name] if name in ("output", "model") else cells[name].strip()
    skipped = (*CSV_CASE_COLUMNS, *CSV_RECORDED_COLUMNS)
    variables = {name: value for name, value in cells.items() if name not in skipped}
    if variables:
        case["vars"] = variables
    return case
