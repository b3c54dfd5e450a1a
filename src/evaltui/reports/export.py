"""`evaltui export`: every result of a run, streamed, as JSON lines, CSV or a Markdown table; the
whole run as one JSON document; or an HTML report (reports/html.py).

JSON lines keep every string exact (control characters escaped by JSON itself, so they are inert
on a terminal too); CSV keeps them exact in a file or a pipe (it is data for a spreadsheet or a
script), but when standard output is a terminal its cells show them as visible symbols, as the CLI's
tables do; Markdown is for people and renderers, so hostile text is made inert there always.
Each row also carries the case's current label and every annotation of it (label, note, author,
time; in CSV the notes as JSON). Times are ISO 8601 in UTC, as the runs' own. Nothing about the
model's configuration beyond its id is written, and the store never holds API keys in the first place.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from evaltui.records import Result, RunRecord
from evaltui.reports.html import run_report
from evaltui.reports.markdown import cell
from evaltui.reports.metrics import metrics_of
from evaltui.reports.verdicts import why
from evaltui.store import Store
from evaltui.text import make_visible

COLUMNS = (
    "case_id", "epoch", "status", "output", "scores", "value", "latency_ms", "tokens_in", "tokens_out",
    "cost_usd", "attempts", "cached", "error", "finished_at", "tool_calls", "steps",
)  # fmt: skip
ANNOTATION_COLUMNS = ("label", "notes")  # added to each row from the run's annotations
MD_OUTPUT_CHARS = 200


@contextmanager
def opened(target: str) -> Iterator[IO[str]]:
    if target == "-":
        yield sys.stdout
        return
    with Path(target).open("w", encoding="utf-8", newline="", errors="backslashreplace") as handle:
        yield handle


def _iso(value: Any) -> Any:
    """A result's finish time (seconds since the epoch, as the engine keeps it: its column has text
    affinity, so it reads back as the number's text) in the ISO form of the runs' own times;
    anything else (an ISO time already) as stored."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return value
    return datetime.fromtimestamp(seconds, UTC).isoformat() if math.isfinite(seconds) else value


def _results(store: Store, run_id: str) -> Iterator[tuple[Result, dict[str, Any]]]:
    """Each result, with its exported columns as plain values (in COLUMNS order, times in ISO), its
    case's current label and every annotation of it."""
    labels, notes = store.labels(run_id), store.case_notes(run_id)
    for result in store.iter_results(run_id, columns=COLUMNS):
        row = {c: result.column(c) for c in COLUMNS}
        row["finished_at"] = _iso(row["finished_at"])
        row["label"] = labels.get(result.case_id)
        row["notes"] = [a.as_dict() for a in notes.get(result.case_id, ())]
        yield result, row


def write_jsonl(store: Store, run_id: str, handle: IO[str], *, terminal: bool = False) -> None:
    run = store.get_run(run_id)
    model_id = None if run is None else run.model_id
    for _, row in _results(store, run_id):
        row = {"run_id": run_id, "model_id": model_id, **row}
        handle.write(json.dumps(row, ensure_ascii=True, default=str) + "\n")


def write_csv(store: Store, run_id: str, handle: IO[str], *, terminal: bool = False) -> None:
    """Exact cells; on a terminal, each string cell with its control characters made visible."""
    writer = csv.writer(handle)
    writer.writerow((*COLUMNS, *ANNOTATION_COLUMNS))
    for _, row in _results(store, run_id):
        for column in ("scores", "tool_calls", "steps"):
            value = row[column]
            row[column] = "" if value is None else json.dumps(value, ensure_ascii=False)
        row["notes"] = json.dumps(row["notes"], ensure_ascii=False) if row["notes"] else ""
        cells = [row[c] for c in (*COLUMNS, *ANNOTATION_COLUMNS)]
        writer.writerow([make_visible(c) if terminal and isinstance(c, str) else c for c in cells])


def write_md(store: Store, run_id: str, handle: IO[str], *, terminal: bool = False) -> None:
    run = store.get_run(run_id)
    suite, model_id = (None, None) if run is None else (run.suite, run.model_id)
    handle.write(f"## Run {cell(run_id)}: {cell(str(suite))} × {cell(str(model_id))}\n\n")
    if run is not None and run.status != "completed":  # not every case was asked: say so first
        reason = f": {cell(run.stop_reason)}" if run.stop_reason else ""
        handle.write(f"_{run.status}{reason} ({run.done:,} of {run.total:,} results)_\n\n")
    handle.write("| case | epoch | status | output | why | label | notes |\n|---|---|---|---|---|---|---|\n")
    for result, row in _results(store, run_id):
        output = (result.output or "")[:MD_OUTPUT_CHARS]
        said = " · ".join(f"{n['author'] or '?'}: {n['note']}" for n in row["notes"] if n["note"])
        cells = (
            cell(result.case_id), str(result.epoch), result.status, cell(output), cell(why(result)),
            cell(row["label"] or ""), cell(said),
        )  # fmt: skip
        handle.write("| " + " | ".join(cells) + " |\n")


def write_json(store: Store, run_id: str, handle: IO[str], *, terminal: bool = False) -> None:
    """The whole run as one JSON document: the run, its metrics, reviewers' annotations by case,
    and every result with its case's input, expected answer, vars and tags. Streamed result by
    result (a run may hold 100,000), so the document is built as text rather than as one object in
    memory."""
    record = store.get_run(run_id) or RunRecord(run_id)
    run, metrics = record.as_dict(), metrics_of(store, record).to_dict()
    notes = {case: [a.as_dict() for a in found] for case, found in store.case_notes(run_id).items()}
    head = {"format": "evaltui-run", "version": 1, "run": run, "metrics": metrics, "annotations": notes}
    handle.write(json.dumps(head, ensure_ascii=True, default=str)[:-1] + ', "results": [')
    for i, key in enumerate(store.iter_results(run_id, columns=("case_id", "epoch"))):
        found = store.get_result(run_id, key.case_id, key.epoch)
        row = found.as_row() if found else {"case_id": key.case_id, "epoch": key.epoch}
        row["finished_at"] = _iso(row.get("finished_at"))
        handle.write(("\n" if i == 0 else ",\n") + json.dumps(row, ensure_ascii=True, default=str))
    handle.write("\n]}\n")


def write_html(store: Store, run_id: str, handle: IO[str], *, terminal: bool = False) -> None:
    handle.write(run_report(store, run_id))


# Each writer is told whether it writes to a terminal; only CSV writes differently there (JSON lines,
# JSON, HTML and Markdown are inert wherever they go).
WRITERS = {
    "jsonl": write_jsonl, "csv": write_csv, "md": write_md, "json": write_json, "html": write_html,
}  # fmt: skip


def export_run(store: Store, run_id: str, fmt: str, target: str) -> None:
    terminal = target == "-" and sys.stdout.isatty()
    with opened(target) as handle:
        WRITERS[fmt](store, run_id, handle, terminal=terminal)
