"""JUnit XML: one `<testsuite>` per run, one `<testcase>` per result, so CI systems list failing
cases natively. A failure carries the failing scorers' reasons, an error the provider's error.
Results stream from the store into the file; text is made XML-safe (XML 1.0 cannot hold most
control characters even escaped, so they are shown as visible stand-ins)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from evaltui.commands.show import why
from evaltui.text import make_visible

OUTPUT_CHARS = 2000
_NOT_XML = re.compile("[\ufffe\uffff]")
COLUMNS = ("case_id", "epoch", "status", "output", "scores", "latency_ms", "error")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", make_visible(text))


def _case(handle: IO[str], row: dict[str, Any], classname: str) -> None:
    name = row["case_id"] + (f"#{row['epoch']}" if row.get("epoch") else "")
    seconds = (row.get("latency_ms") or 0) / 1000
    handle.write(
        f"    <testcase name={quoteattr(xml_text(name))} classname={quoteattr(classname)} "
        f'time="{seconds:.3f}">\n'
    )
    reason = xml_text(why(row))
    if row["status"] == "fail":
        handle.write(f"      <failure message={quoteattr(reason[:500])}>{escape(reason)}</failure>\n")
    elif row["status"] == "error":
        handle.write(f"      <error message={quoteattr(reason[:500])}>{escape(reason)}</error>\n")
    output = xml_text((row.get("output") or "")[:OUTPUT_CHARS])
    if output:
        handle.write(f"      <system-out>{escape(output)}</system-out>\n")
    handle.write("    </testcase>\n")


def write_junit(store: Any, run_ids: list[str], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="evaltui">\n')
        for run_id in run_ids:
            run = store.get_run(run_id) or {}
            classname = xml_text(f"{run.get('suite')}.{run.get('model_id')}")
            handle.write(
                f'  <testsuite name={quoteattr(classname)} tests="{run.get("done", 0)}" '
                f'failures="{run.get("failed", 0)}" errors="{run.get("errors", 0)}" '
                f"id={quoteattr(run_id)}>\n"
            )
            for row in store.iter_results(run_id, columns=COLUMNS):
                _case(handle, row, classname)
            handle.write("  </testsuite>\n")
        handle.write("</testsuites>\n")
