"""`evaltui export`: every result of a run, streamed, as JSON lines, CSV or a Markdown table.

JSON lines keep every string exact (control characters escaped by JSON itself); CSV keeps them
exact too (it is data for a spreadsheet or a script); Markdown is for people and renderers, so
hostile text is made inert there. Nothing about the model's configuration beyond its id is
written, and the store never holds API keys in the first place.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from evaltui.reports.markdown import cell
from evaltui.reports.verdicts import why

COLUMNS = (
    "case_id", "epoch", "status", "output", "scores", "value", "latency_ms", "tokens_in", "tokens_out",
    "cost_usd", "attempts", "cached", "error", "finished_at",
)  # fmt: skip
MD_OUTPUT_CHARS = 200


@contextmanager
def opened(target: str) -> Iterator[IO[str]]:
    if target == "-":
        yield sys.stdout
        return
    with Path(target).open("w", encoding="utf-8", newline="", errors="backslashreplace") as handle:
        yield handle


def _rows(store: Any, run_id: str) -> Iterator[dict[str, Any]]:
    return store.iter_results(run_id, columns=COLUMNS)


def write_jsonl(store: Any, run_id: str, handle: IO[str]) -> None:
    run = store.get_run(run_id) or {}
    for row in _rows(store, run_id):
        row = {"run_id": run_id, "model_id": run.get("model_id"), **row}
        handle.write(json.dumps(row, ensure_ascii=True, default=str) + "\n")


def write_csv(store: Any, run_id: str, handle: IO[str]) -> None:
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    for row in _rows(store, run_id):
        row["scores"] = json.dumps(row.get("scores"), ensure_ascii=False)
        writer.writerow([row.get(c) for c in COLUMNS])


def write_md(store: Any, run_id: str, handle: IO[str]) -> None:
    run = store.get_run(run_id) or {}
    handle.write(
        f"## Run {cell(run_id)}: {cell(str(run.get('suite')))} × {cell(str(run.get('model_id')))}\n\n"
    )
    handle.write("| case | epoch | status | output | why |\n|---|---|---|---|---|\n")
    for row in _rows(store, run_id):
        output = (row.get("output") or "")[:MD_OUTPUT_CHARS]
        cells = (cell(row["case_id"]), str(row["epoch"]), row["status"], cell(output), cell(why(row)))
        handle.write("| " + " | ".join(cells) + " |\n")


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "md": write_md}


def export_run(store: Any, run_id: str, fmt: str, target: str) -> None:
    with opened(target) as handle:
        WRITERS[fmt](store, run_id, handle)
