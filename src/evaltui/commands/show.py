"""`evaltui show` and the end-of-run summary: metrics of a run and its failing cases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import click
from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from evaltui.errors import StoreError
from evaltui.format import money, ms, pct
from evaltui.records import Result, ResultPreview, RunMetrics, RunRecord
from evaltui.reports.metrics import metrics_of
from evaltui.reports.verdicts import ERRORED, asked_note, asked_of, basis, cost_per_case, cost_spent, why
from evaltui.store import Store
from evaltui.text import inert, json_text

FAILURE_COLUMNS = (
    "case_id",
    "epoch",
    "status",
    "input",
    "expected",
    "output",
    "scores",
    "error",
    "tool_calls",
)


@dataclass(frozen=True, slots=True)
class Failure:
    """A failing result with the preview of its output a table cell shows."""

    result: Result
    output_preview: str


def failures(store: Store, run_id: str, limit: int) -> tuple[int, list[Failure]]:
    count = sum(store.count_results(run_id, status=s) for s in ("fail", "error"))
    rows: list[ResultPreview] = []
    for status in ("error", "fail"):
        if len(rows) < limit:
            rows += store.page_results(run_id, status=status, limit=limit - len(rows))
    full = []
    for row in rows:
        result = store.get_result(run_id, row.case_id, row.epoch) or Result(
            row.run_id, row.case_id, epoch=row.epoch, status=row.status, error=row.error
        )  # gone since the page was read (a resume replaced it): what the page said
        full.append(Failure(result, row.output_preview))
    return count, full


def short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("\n", " ")[:200]


def summary_dict(store: Store, run_id: str, limit: int = 20) -> dict[str, Any]:
    """The run, its metrics, its failing cases (each with its label, if any), every annotation of
    the run by case, and the labels its cases were given in earlier runs of the suite (hints)."""
    count, rows = failures(store, run_id, limit)
    run = store.get_run(run_id)
    labels = store.labels(run_id)
    notes = store.case_notes(run_id)
    return {
        "run": None if run is None else run.as_dict(),
        "metrics": metrics_of(store, run_id).to_dict(),
        "failures_total": count,
        "failures": [
            {k: f.result.column(k) for k in FAILURE_COLUMNS}
            | {"why": why(f.result), "label": labels.get(f.result.case_id)}
            for f in rows
        ],
        "annotations": {case: [a.as_dict() for a in found] for case, found in notes.items()},
        "earlier_labels": {
            case: a.as_dict() | {"run_id": a.run_id} for case, a in store.earlier_labels(run_id).items()
        },
    }


def metrics_block(run: RunRecord, m: RunMetrics) -> Group:
    head = Text.assemble(
        ("Run ", "bold"),
        inert(run.id),
        "  suite ",
        inert(run.suite),
        "  model ",
        inert(run.model_id),
        "  ",
        (run.status, "bold"),
    )
    if run.label:
        head.append("  label ")
        head.append_text(inert(run.label))
    rate = m.rate
    line1 = Text("pass rate ").append(pct(rate.pass_rate), "bold")
    if rate.pass_rate is not None:
        line1.append(f" [{pct(rate.lo)}–{pct(rate.hi)}] 95% CI ({rate.method})")
    counted = Text(" " + basis(rate.n, m.errors, m.cached))
    counted.highlight_regex(ERRORED, "bold red")  # the rate is over the answered cases only: say so
    line1.append_text(counted)
    asked = asked_note(m.passed, rate.n, asked_of(run, m))
    line1.append(f"  ·  {asked}" if asked else "")
    line1.append(f"  ·  mean score {m.mean_score or 0:.3f}")
    parts: list[Any] = [head, line1, latency_line(m)]
    if m.flaky_share:
        parts.append(Text(f"flaky: {m.flaky_share:.1%} of cases disagree across epochs", style="yellow"))
    if m.by_tag:
        table = Table(box=None, header_style="bold", pad_edge=False)
        for col in ("tag", "n", "pass rate", "95% CI"):
            table.add_column(col)
        for entry in m.by_tag:
            r = entry.rate
            table.add_row(inert(entry.tag), str(r.n), pct(r.pass_rate), f"{pct(r.lo)}–{pct(r.hi)}")
        parts.append(table)
    return Group(*parts)


def latency_line(m: RunMetrics) -> Text:
    """Latency over the answers asked in this run (cached answers replay an old latency), tokens and
    cost spent (cached answers are not charged again)."""
    lat = m.latency_ms
    done = m.passed + m.failed + m.errors
    fresh = f" over {lat.n:,} fresh answers"
    fresh += f" ({m.cached:,} cached not counted)" if m.cached else ""
    return Text(
        f"latency p50 {ms(lat.p50)}  p95 {ms(lat.p95)}  max {ms(lat.max)}"
        f"{fresh}  ·  tokens {m.tokens_in:,} in / {m.tokens_out:,} out"
        f"  ·  cost {cost_spent(m.cost_usd, money(m.cost_usd), m.cached)}"
        f"{cost_per_case(m.cost_usd, done, m.passed)}"
    )


def failures_table(count: int, rows: list[Failure], labels: dict[str, str] | None = None) -> Table:
    table = Table(
        title=f"failing cases: {len(rows)} of {count}", box=box.SIMPLE_HEAD, header_style="bold",
        title_justify="left", pad_edge=False, expand=True,
    )  # fmt: skip
    table.add_column("case", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("status", no_wrap=True)
    table.add_column("expected", no_wrap=True, overflow="ellipsis", ratio=1, max_width=30)
    table.add_column("output", no_wrap=True, overflow="ellipsis", ratio=1, max_width=30)
    table.add_column("why", overflow="fold", ratio=2, min_width=24)
    labels = labels or {}
    if labels:
        table.add_column("label", no_wrap=True, overflow="ellipsis", max_width=16)
    for row in rows:
        result = row.result
        cells = [
            inert(result.name),
            Text(result.status, style="red" if result.status == "error" else "yellow"),
            inert(short(result.expected)),
            inert(short(row.output_preview)),
            inert(why(result)),
        ]
        table.add_row(*cells, *([inert(labels.get(result.case_id, ""))] if labels else []))
    return table


def show_command(store: Store, run_id: str, out: Console, *, as_json: bool, limit: int) -> None:
    if as_json:
        click.echo(json_text(summary_dict(store, run_id, limit)))  # not through Rich: it re-encodes escapes
        return
    run = stored_run(store, run_id)
    out.print(metrics_block(run, metrics_of(store, run)))
    if run.stop_reason:  # `evaltui run` said it as the run stopped: here, once later
        out.print(Text.assemble(("stopped: ", "bold yellow"), inert(run.stop_reason)))
    count, rows = failures(store, run_id, limit)
    if rows:
        out.print(failures_table(count, rows, store.labels(run_id)))


def stored_run(store: Store, run_id: str) -> RunRecord:
    """The run, which the caller has just resolved (or run): gone only if deleted meanwhile."""
    run = store.get_run(run_id)
    if run is None:
        raise StoreError(f"no run {run_id!r} in {store.path}")
    return run


def print_summaries(store: Store, run_ids: list[str], out: Console) -> None:
    for run_id in run_ids:
        out.print(metrics_block(stored_run(store, run_id), metrics_of(store, run_id)))
        count, rows = failures(store, run_id, 5)
        if rows:
            out.print(failures_table(count, rows, store.labels(run_id)))
        out.print(Text(f"details: evaltui show {run_id}", style="dim"))
