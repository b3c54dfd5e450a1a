"""`evaltui show` and the end-of-run summary: metrics of a run and its failing cases."""

from __future__ import annotations

import json
from typing import Any

import click
from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from evaltui.commands.database import stored_run
from evaltui.format import NONE, interval, money, ms, pct
from evaltui.records import RunMetrics, RunRecord
from evaltui.reports.metrics import metrics_of
from evaltui.reports.overview import Failure, failures, run_overview
from evaltui.reports.verdicts import (
    ERRORED,
    asked_note,
    asked_of,
    basis,
    cost_per_case,
    cost_spent,
    spent_tokens,
    why,
)
from evaltui.store import Store
from evaltui.text import inert, json_text


def short(value: Any) -> str:
    """A value on one line; none at all (a case scored without an expected value) is "–"."""
    if value is None:
        return NONE
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("\n", " ")[:200]


def summary_dict(store: Store, run_id: str, limit: int = 20) -> dict[str, Any]:
    """What `show --json` prints (reports/overview.py)."""
    return run_overview(store, run_id, limit).to_dict()


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
        line1.append(f" [{interval(rate.lo, rate.hi)}] 95% CI ({rate.method})")
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
            table.add_row(inert(entry.tag), str(r.n), pct(r.pass_rate), interval(r.lo, r.hi))
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
        f"{fresh}  ·  tokens {spent_tokens(m)}"
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
    metrics = metrics_of(store, run)
    out.print(metrics_block(run, metrics))
    if metrics.flaky_share:
        out.print(flaky_line(store, run_id))
    for line in ended_early(run):  # `evaltui run` said it as the run ended: here, once later
        out.print(line)
    count, rows = failures(store, run_id, limit)
    if rows:
        out.print(failures_table(count, rows, store.labels(run_id)))


def flaky_line(store: Store, run_id: str, shown: int = 10) -> Text:
    """The flaky cases by id: which cases disagree across epochs, not only how many."""
    count, ids = store.flaky_cases(run_id, shown)
    text = Text("flaky cases: ", style="yellow").append_text(inert(", ".join(ids)))
    return text.append(f" (and {count - len(ids):,} more)" if count > len(ids) else "")


def ended_early(run: RunRecord) -> list[Text]:
    """Why a run ended before its last case (`stopped` at its cost ceiling, `failed`), and how a
    run that can go on is finished; nothing for a run that is completed or going on."""
    lines = []
    if run.stop_reason:
        style = "bold red" if run.status == "failed" else "bold yellow"
        lines.append(Text.assemble((f"{run.status}: ", style), inert(run.stop_reason)))
    if run.status in ("stopped", "interrupted", "failed"):
        how = " (with a higher --max-cost if need be)" if run.status == "stopped" else ""
        lines.append(Text(f"resume it{how}: evaltui run --resume {run.id}", style="dim"))
    return lines


def print_summaries(store: Store, runs: list[RunRecord], out: Console) -> None:
    """Each run's metrics and first failing cases: the records as the caller has just read them."""
    for run in runs:
        run_id = run.id
        out.print(metrics_block(run, metrics_of(store, run)))
        count, rows = failures(store, run_id, 5)
        if rows:
            out.print(failures_table(count, rows, store.labels(run_id)))
        out.print(Text(f"details: evaltui show {run_id}", style="dim"))


def rehearse_summary(out: Console) -> None:
    """Draw a made-up summary once, to nowhere, as `out` would draw it: Rich's first table loads
    and fills what later ones reuse (modules it imports when first used, its caches, the
    interpreter's specialised code). `evaltui run` has it done on a worker thread while its
    requests are out, rather than after its last answer, where the real summary is drawn."""
    from io import StringIO

    from evaltui.analysis.metrics import run_metrics
    from evaltui.records import Result, ResultStatus

    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"
    statuses: tuple[ResultStatus, ...] = ("error", "fail", "fail", "pass", "pass")
    made_up = [
        Result("run", f"case-{i}", status=s, expected=words, output=words.upper(), latency_ms=100.0 + i)
        for i, s in enumerate(statuses)
    ]
    rows = [Failure(r, words.upper()) for r in made_up if r.status != "pass"]
    colours: Any = out.color_system  # its name, as Console takes it
    nowhere = Console(file=StringIO(), width=out.width, color_system=colours, highlight=False, emoji=False)
    nowhere.print(metrics_block(RunRecord("run", suite="suite", model_id="model"), run_metrics(made_up)))
    nowhere.print(failures_table(len(rows), rows))
    nowhere.print(Text("details: evaltui show run", style="dim"))
