"""JUnit XML: one `<testsuite>` per run, one `<testcase>` per result, so CI systems list failing
cases natively. A failure carries the failing scorers' reasons; a case the model could not be asked
is an `<error>` with the provider's error, never a failure. Each suite's properties give the pass
rate with what it is over (scored, errored, cached, asked).
Results stream from the store into the file; text is made XML-safe (XML 1.0 cannot hold most
control characters even escaped, so they are shown as visible stand-ins)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from evaltui.errors import StoreError
from evaltui.records import Result, RunMetrics, RunRecord
from evaltui.reports.metrics import metrics_of
from evaltui.reports.verdicts import asked_of, asked_rate, why
from evaltui.store import Store
from evaltui.text import make_visible

OUTPUT_CHARS = 2000
_NOT_XML = re.compile("[\ufffe\uffff]")
COLUMNS = ("case_id", "epoch", "status", "output", "scores", "latency_ms", "error", "tool_calls")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", make_visible(text))


def _case(handle: IO[str], row: Result, classname: str) -> None:
    name = row.name
    seconds = (row.latency_ms or 0) / 1000
    handle.write(
        f"    <testcase name={quoteattr(xml_text(name))} classname={quoteattr(classname)} "
        f'time="{seconds:.3f}">\n'
    )
    reason = xml_text(why(row))
    if row.status == "fail":
        handle.write(f"      <failure message={quoteattr(reason[:500])}>{escape(reason)}</failure>\n")
    elif row.status == "error":
        handle.write(f"      <error message={quoteattr(reason[:500])}>{escape(reason)}</error>\n")
    output = xml_text((row.output or "")[:OUTPUT_CHARS])
    if output:
        handle.write(f"      <system-out>{escape(output)}</system-out>\n")
    handle.write("    </testcase>\n")


def _properties(handle: IO[str], run: RunRecord, m: RunMetrics) -> None:
    """The run's figures as properties: the pass rate with what it is over, beside the errors."""
    asked = asked_of(run, m)
    shares = {"pass_rate_of_scored": m.rate.pass_rate, "pass_rate_of_asked": asked_rate(m.passed, asked)}
    figures = {
        **{name: "" if value is None else f"{value:.4f}" for name, value in shares.items()},
        "asked": asked,
        "scored": m.rate.n,
        "errored": m.errors,
        "cached": m.cached,
    }
    handle.write("    <properties>\n")
    for name, value in figures.items():
        handle.write(f"      <property name={quoteattr(name)} value={quoteattr(str(value))}/>\n")
    handle.write("    </properties>\n")


def write_junit(
    store: Store, run_ids: list[str], path: Path, metrics: Mapping[str, RunMetrics] | None = None
) -> None:
    """`metrics`: each run's metrics when the caller has them already."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="evaltui">\n')
        for run_id in run_ids:
            run = store.get_run(run_id)
            if run is None:
                raise StoreError(f"no run {run_id!r} in {store.path}")
            m = (metrics or {}).get(run_id) or metrics_of(store, run)
            classname = xml_text(f"{run.suite}.{run.model_id}")
            handle.write(
                f'  <testsuite name={quoteattr(classname)} tests="{m.total}" '
                f'failures="{m.failed}" errors="{m.errors}" '
                f"id={quoteattr(run_id)}>\n"
            )
            _properties(handle, run, m)
            for row in store.iter_results(run_id, columns=COLUMNS):
                _case(handle, row, classname)
            handle.write("  </testsuite>\n")
        handle.write("</testsuites>\n")
