"""`evaltui trends SUITE [--model M] [--json]`: the points the Trends screen draws, as a table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from evaltui.format import interval, money, ms, pct
from evaltui.reports.trends import Trends, suite_trends
from evaltui.text import inert, json_text

if TYPE_CHECKING:
    from evaltui.analysis.trends import TrendPoint
    from evaltui.store import Store


def suite_name(ref: str) -> str:
    """SUITE is a suite's name, or the path of its file (its `name:` is read)."""
    path = Path(ref)
    if path.is_file():
        from evaltui.suites import load_suite

        return load_suite(path).name
    return ref


def trends_command(store: Store, ref: str, out: Console, *, model: str | None, as_json: bool) -> None:
    name = suite_name(ref)
    trends = suite_trends(store, name, model=model)
    if as_json:
        click.echo(json_text(trends.to_dict()))
        return
    if trends.series:
        out.print(
            Text("earlier: where the 5 runs before put a run's pass rate; ▼ a drop below it", style="dim")
        )
    else:
        out.print(nothing_to_draw(store, name, model))
        if not trends.left_out:  # nothing to list below either
            return
    for model_id, points in trends.series.items():
        out.print(model_table(model_id, points))
    out.print(flips_table(trends))
    for run_id, why in trends.left_out:
        out.print(Text(f"left out: {run_id}: ", style="dim").append_text(inert(why)))


def nothing_to_draw(store: Store, name: str, model: str | None) -> Text:
    """Why nothing is drawn, with the names that would draw something when the one typed has no
    run at all (a typo)."""
    text = Text("No completed runs of suite ").append_text(inert(name))
    if model is not None:
        text.append(" by model ").append_text(inert(model))
    text.append(" to draw")
    if model is None and not store.count_runs(suite=name):
        known = store.run_names()
        if known:
            text.append("; suites with runs: ").append_text(inert(", ".join(known)))
    elif model is not None and not store.count_runs(suite=name, model=model):
        known = store.run_names(suite=name)
        if known:
            text.append("; its models: ").append_text(inert(", ".join(known)))
    return text.append(".")


def model_table(model_id: str, points: list[TrendPoint]) -> Table:
    """One row a run, oldest first. "earlier": where the runs before it put its pass rate; ▼ marks
    a drop below that."""
    title = Text("model ").append_text(inert(model_id))
    table = Table(title=title, title_justify="left", box=None, header_style="bold", pad_edge=False)
    for column in ("when", "run", "pass", "95% CI", "earlier", "p95", "cost"):
        table.add_column(column, no_wrap=True)
    for p in points:
        run = p.run
        table.add_row(
            run.started_at[5:16].replace("T", " "),
            inert(run.run_id),
            Text(pct(run.pass_rate)).append(" ▼", style="bold red") if p.drop else pct(run.pass_rate),
            interval(run.lo, run.hi),
            "–" if p.previous is None else interval(*p.previous),
            ms(run.p95_ms),
            money(run.cost_usd),
        )
    return table


def flips_table(trends: Trends) -> Table:
    table = Table(
        title="cases whose verdict flips most", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )
    table.add_column("case")
    table.add_column("flips", justify="right")
    table.add_column("of runs", justify="right")
    for flip in trends.flips:
        table.add_row(inert(flip.case_id), str(flip.flips), str(flip.runs))
    if not trends.flips:
        table.add_row(Text("(none: every case kept its verdict)", style="dim"), "", "")
    return table
