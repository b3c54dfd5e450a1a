"""Any JSONL or CSV table as a suite, its columns named on the command line: `input=` (default
`input`), `expected=`, `id=`; every other column becomes a template variable. Also the record
reader the other dataset importers share (one JSON object a line, or a CSV header and rows, each
with its line number)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evaltui.errors import SuiteError
from evaltui.suites.importers.base import Imported
from evaltui.suites.loader import CaseCollector, build_case
from evaltui.suites.models import Location, ScorerSpec, Suite
from evaltui.suites.validation import FlatSource
from evaltui.suites.yamlnodes import YamlDoc, decode_text

SUFFIXES = (".jsonl", ".csv")


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, record) for every record of a `.jsonl` or `.csv` file; blank lines skipped."""
    display = str(path)
    if path.suffix.lower() not in SUFFIXES:
        raise SuiteError(
            f"a dataset is a .jsonl or .csv file, not {path.suffix or 'a file without suffix'}", file=display
        )
    try:
        text = decode_text(path.read_bytes(), display)
    except OSError as exc:
        raise SuiteError(f"cannot read the file ({exc.strerror or exc})", file=display) from exc
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SuiteError(
                    f"not JSON: {exc.msg} (column {exc.colno})", file=display, line=number
                ) from exc
            if not isinstance(record, dict):
                raise SuiteError("each line is one JSON object", file=display, line=number)
            yield number, record
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise SuiteError("the CSV file is empty", file=display, line=1)
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            message = f"{len(row)} cells, the header has {len(header)}"
            raise SuiteError(message, file=display, line=reader.line_num)
        yield reader.line_num, dict(zip(header, row, strict=True))


def collect(path: Path, rows: Iterator[tuple[int, dict[str, Any]]]) -> list:
    """Cases from (line, case fields) pairs, ids checked unique as in a suite's case files."""
    collector = CaseCollector(YamlDoc(file=str(path), data=None), path.parent)
    for line, fields in rows:
        collector.add(build_case(fields, FlatSource(str(path), line), ()), "id" not in fields)
    if not collector.cases:
        raise SuiteError("the file holds no records", file=str(path))
    return collector.cases


def import_table(
    path: Path, *, input: str = "input", expected: str | None = None, id: str | None = None
) -> Imported:
    """A table's records as cases: the named columns as input, expected and id, the rest as vars."""
    named = {input: "input", **({expected: "expected"} if expected else {}), **({id: "id"} if id else {})}

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for line, record in read_records(path):
            if input not in record:
                raise SuiteError(
                    f"no {input!r} column (give the input's with --input)", file=str(path), line=line
                )
            fields: dict[str, Any] = {"vars": {}}
            for column, value in record.items():
                if column in named:
                    if not (named[column] in ("id", "expected") and value in ("", None)):
                        fields[named[column]] = value
                else:
                    fields["vars"][str(column)] = value
            yield line, fields

    cases = collect(path, rows())
    scorers = [ScorerSpec(type="equals", normalize=["strip"])] if expected else []
    suite = Suite(name=path.stem, prompt="{{ input }}", scorers=scorers, cases=cases)
    suite.loc = Location(file=str(path), line=1)
    columns = ", ".join(f"{column} as {field}" for column, field in named.items())
    notes = [] if expected else ["no --expected column: add scorers before running"]
    notes.append("no models: run it with -m (e.g. -m openai:gpt-4o-mini) or add `models:`")
    origins = (
        ("prompt", "the input column, as written"),
        ("cases", f"{path.name}: {columns}; other columns are vars"),
    )
    return Imported(
        suite=suite, source=f"{path.suffix[1:]} table {path.name}", notes=tuple(notes), origins=origins
    )
