"""`evaltui show` and the end-of-run summary: metrics of a run and its failing cases."""

from __future__ import annotations

import json
from typing import Any

import click
from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from evaltui.analysis.metrics import run_metrics as compute_metrics
from evaltui.console import fmt_cost, fmt_ms
from evaltui.reports.verdicts import ERRORED, asked_note, asked_of, basis, cost_per_case, cost_spent, why
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


def run_metrics(store: Any, run_id: str) -> dict[str, Any]:
    return compute_metrics(store.iter_metric_rows(run_id)).to_dict()


def failures(store: Any, run_id: str, limit: int) -> tuple[int, list[dict[str, Any]]]:
    count = sum(store.count_results(run_id, status=s) for s in ("fail", "error"))
    rows: list[dict[str, Any]] = []
    for status in ("error", "fail"):
        if len(rows) < limit:
            rows += store.page_results(run_id, status=status, limit=limit - len(rows))
    full = [store.get_result(run_id, r["case_id"], r["epoch"]) or r for r in rows]
    for row, page_row in zip(full, rows, strict=True):
        row["output_preview"] = page_row.get("output_preview") or ""
    return count, full


def short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("\n", " ")[:200]


def summary_dict(store: Any, run_id: str, limit: int = 20) -> dict[str, Any]:
    """The run, its metrics, its failing cases (each with its label, if any), every annotation of
    the run by case, and the labels its cases were given in earlier runs of the suite (hints)."""
    count, rows = failures(store, run_id, limit)
    labels = store.labels(run_id)
    notes = store.case_notes(run_id)
    return {
        "run": store.get_run(run_id),
        "metrics": run_metrics(store, run_id),
        "failures_total": count,
        "failures": [
            {k: r.get(k) for k in FAILURE_COLUMNS} | {"why": why(r), "label": labels.get(r["case_id"])}
            for r in rows
        ],
        "annotations": {case: [a.as_dict() for a in found] for case, found in notes.items()},
        "earlier_labels": {
            case: a.as_dict() | {"run_id": a.run_id} for case, a in store.earlier_labels(run_id).items()
        },
    }


def fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def metrics_block(run: dict[str, Any], m: dict[str, Any]) -> Group:
    head = Text.assemble(
        ("Run ", "bold"),
        inert(run["id"]),
        "  suite ",
        inert(str(run.get("suite"))),
        "  model ",
        inert(str(run.get("model_id"))),
        "  ",
        (str(run.get("status")), "bold"),
    )
    if run.get("label"):
        head.append("  label ")
        head.append_text(inert(str(run["label"])))
    rate = m.get("rate") or {}
    pass_rate = rate.get("pass_rate")
    line1 = Text("pass rate ").append(fmt_pct(pass_rate), "bold")
    if pass_rate is not None:
        line1.append(f" [{fmt_pct(rate.get('lo'))}–{fmt_pct(rate.get('hi'))}] 95% CI ({rate.get('method')})")
    counted = Text(" " + basis(rate.get("n", 0), m.get("errors", 0), m.get("cached")))
    counted.highlight_regex(ERRORED, "bold red")  # the rate is over the answered cases only: say so
    line1.append_text(counted)
    asked = asked_note(m.get("passed", 0), rate.get("n", 0), asked_of(run, m))
    line1.append(f"  ·  {asked}" if asked else "")
    line1.append(f"  ·  mean score {m.get('mean_score') or 0:.3f}")
    parts: list[Any] = [head, line1, latency_line(m)]
    if m.get("flaky_share"):
        parts.append(Text(f"flaky: {m['flaky_share']:.1%} of cases disagree across epochs", style="yellow"))
    if m.get("by_tag"):
        table = Table(box=None, header_style="bold", pad_edge=False)
        for col in ("tag", "n", "pass rate", "95% CI"):
            table.add_column(col)
        for entry in m["by_tag"]:
            r = entry["rate"]
            table.add_row(
                inert(entry["tag"]),
                str(r["n"]),
                fmt_pct(r["pass_rate"]),
                f"{fmt_pct(r['lo'])}–{fmt_pct(r['hi'])}",
            )
        parts.append(table)
    return Group(*parts)


def latency_line(m: dict[str, Any]) -> Text:
    """Latency over the answers asked in this run (cached answers replay an old latency), tokens and
    cost spent (cached answers are not charged again)."""
    lat = m.get("latency_ms") or {}
    cached = m.get("cached") or 0
    done = sum(m.get(key) or 0 for key in ("passed", "failed", "errors"))
    fresh = f" over {lat.get('n', 0):,} fresh answers"
    fresh += f" ({cached:,} cached not counted)" if cached else ""
    return Text(
        f"latency p50 {fmt_ms(lat.get('p50'))}  p95 {fmt_ms(lat.get('p95'))}  max {fmt_ms(lat.get('max'))}"
        f"{fresh}  ·  tokens {m.get('tokens_in') or 0:,} in / {m.get('tokens_out') or 0:,} out"
        f"  ·  cost {cost_spent(m.get('cost_usd'), fmt_cost(m.get('cost_usd')), cached)}"
        f"{cost_per_case(m.get('cost_usd'), done, m.get('passed') or 0)}"
    )


def failures_table(count: int, rows: list[dict[str, Any]], labels: dict[str, str] | None = None) -> Table:
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
        case = row["case_id"] + (f"#{row['epoch']}" if row.get("epoch") else "")
        cells = [
            inert(case),
            Text(row["status"], style="red" if row["status"] == "error" else "yellow"),
            inert(short(row.get("expected"))),
            inert(short(row.get("output_preview") or "")),
            inert(why(row)),
        ]
        table.add_row(*cells, *([inert(labels.get(row["case_id"], ""))] if labels else []))
    return table


def show_command(store: Any, run_id: str, out: Console, *, as_json: bool, limit: int) -> None:
    data = summary_dict(store, run_id, limit)
    if as_json:
        click.echo(json_text(data))  # not through Rich: it would re-encode the escapes
        return
    out.print(metrics_block(data["run"], data["metrics"]))
    if data["run"].get("stop_reason"):  # `evaltui run` said it as the run stopped: here, once later
        out.print(Text.assemble(("stopped: ", "bold yellow"), inert(str(data["run"]["stop_reason"]))))
    count, rows = data["failures_total"], failures(store, run_id, limit)[1]
    if rows:
        out.print(failures_table(count, rows, store.labels(run_id)))


def print_summaries(store: Any, run_ids: list[str], out: Console) -> None:
    for run_id in run_ids:
        out.print(metrics_block(store.get_run(run_id), run_metrics(store, run_id)))
        count, rows = failures(store, run_id, 5)
        if rows:
            out.print(failures_table(count, rows, store.labels(run_id)))
        out.print(Text(f"details: evaltui show {run_id}", style="dim"))
