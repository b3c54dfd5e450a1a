"""What the headless CLI draws: the progress lines of a run (progress.py keeps the figures and
redraws them) and summary tables. Untrusted text (outputs, ids) goes through `Text`, never markup."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from evaltui.analysis.stats import live_interval
from evaltui.format import money, ms, rate
from evaltui.records import Rate, RunRecord
from evaltui.text import inert

if TYPE_CHECKING:  # the engine (scorers, providers, HTTP) is not imported by commands that only read
    from evaltui.engine import LiveStats

STATUS_STYLE = {
    "completed": "green",
    "running": "cyan",
    "interrupted": "yellow",
    "stopped": "yellow",
    "failed": "red",
}


def fmt_rate(passed: int, scored: int, *, word: bool = True, epochs: int = 1) -> Text:
    """A rate of results, with the interval analysis.stats.live_interval allows (none with epochs)."""
    prefix = "pass " if word else ""
    if not scored:
        return Text(prefix + "–")
    return Text(prefix + rate(passed / scored, *(live_interval(passed, scored, epochs) or ())))


def rate_cell(
    passed: int, failed: int, errors: int, cached: int | None, stored: Rate | None = None, epochs: int = 1
) -> Text:
    """A run's pass rate with its interval, then (on a line below, to keep the column narrow) how
    many errored and came from the cache: the rate is over the scored cases only. A finished run's
    `stored` rate is the one `show` prints (clustered by case over epochs); a run going on has its
    counters' rate, with the interval analysis.stats.live_interval allows for its `epochs`."""
    if stored is not None and stored.pass_rate is not None:
        text = Text(rate(stored.pass_rate, stored.lo, stored.hi))
    else:
        text = fmt_rate(passed, passed + failed, word=False, epochs=epochs)
    notes = [(f"{errors:,} err", "bold red")] if errors else []
    notes += [(f"{cached:,} cached", "dim")] if cached else []
    for i, (note, style) in enumerate(notes):
        text.append("\n" if i == 0 else " · ")
        text.append(note, style=style)
    return text


def progress_line(model_id: str, s: LiveStats, width: int = 20, epochs: int = 1) -> Text:
    """One model's progress on one line: bar, done/total, pass rate with its interval, errors,
    latency, tokens, cost, speed and time left. With several `epochs` the live counts are of
    results, several a case: the rate goes without an interval (a Wilson interval over them would
    be narrower than the clustered one the run ends with)."""
    share = s.done / s.total if s.total else 1.0
    filled = int(share * width)
    line = Text.assemble(
        inert(model_id[:24].ljust(24), "bold"),
        " ",
        ("━" * filled, "green"),
        ("━" * (width - filled), "grey35"),
        f" {s.done}/{s.total} ",
    )
    line.append_text(fmt_rate(s.passed, s.passed + s.failed, epochs=epochs))
    line.append(f"  err {s.errors}", style="red" if s.errors else "")
    if s.cached:
        line.append(f"  cached {s.cached}", style="dim")
    about = "" if s.latency_exact else "~"  # counted in buckets past the first answers: within 0.4%
    line.append(f"  p50 {about}{ms(s.p50_ms)} p95 {about}{ms(s.p95_ms)}")
    line.append(f"  tok {s.tokens_in + s.tokens_out:,}  {money(s.cost_usd)}")
    eta = "" if s.eta_s is None or s.done >= s.total else f" eta {s.eta_s:,.0f}s"
    line.append(f"  {s.rate:,.0f}/s{eta}", style="dim")
    if s.concurrency is not None:
        line.append(f"  concurrency {s.concurrency}", style="dim")
    if s.waiting_s > 0:
        line.append(f"  rate-limited, waiting {s.waiting_s:.0f}s", style="yellow")
    elif s.rate_limited:
        line.append(f"  {s.rate_limited:,} rate-limited", style="yellow")
    return line


def progress_table(rows: list[tuple[str, int, LiveStats]]) -> Group:
    """Each run's line: (model id, epochs, figures) as progress.ProgressDisplay holds them."""
    return Group(*(progress_line(model_id, stats, epochs=epochs) for model_id, epochs, stats in rows))


SUITE_ROOM = 14  # cells the suite · model column needs to be worth showing (a short name)
COLUMN_GAP = 2  # the padding a column adds beside the one before it
SUITE_WHOLE = 40  # a suite name up to this long is given room to show whole before others shrink
RUN_COLUMNS = ("run", "status", "pass [95% CI]", "p95", "cost", "suite · model")
# Narrower and narrower: p95 is left out, then the status goes under the run id, then cost is left out.
LAYOUTS: tuple[tuple[tuple[str, ...], bool], ...] = (((), False), (("p95",), False), (("p95",), True))
LAST_LAYOUT = (("p95", "cost"), True)


def runs_table(runs: Iterable[RunRecord]) -> RunsTable:
    """Runs, newest first, fitted to the console's width when printed."""
    return RunsTable(list(runs))


@dataclass(frozen=True, slots=True)
class RunsTable:
    """Runs at the width they are printed at: the suite's name is what a user looks for, so other
    columns give way (see LAYOUTS) before it would be cut (Rich would otherwise fold names mid-word,
    or drop the column outright). Suite and model wrap at spaces; a name longer than its column
    ends in "…", never split."""

    runs: list[RunRecord]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        longest = max((len(run.suite) for run in self.runs), default=0)
        room = max(SUITE_ROOM, min(longest, SUITE_WHOLE))
        for dropped, stacked in LAYOUTS:
            facts = self.table((*dropped, "suite · model"), stacked)
            natural = Measurement.get(console, options.update_width(10_000), facts).maximum
            if natural + COLUMN_GAP + room <= options.max_width:
                break
        else:
            dropped, stacked = LAST_LAYOUT
        yield self.table(dropped, stacked)

    def table(self, dropped: tuple[str, ...], stacked: bool = False) -> Table:
        """The table without the `dropped` columns; `stacked`: each run's status under its id."""
        table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
        shown = [name for name in RUN_COLUMNS if name not in dropped and not (stacked and name == "status")]
        for name in shown:
            if name == "suite · model":
                table.add_column(name, overflow="ellipsis", ratio=1, min_width=12)
            else:
                header = "run · status" if stacked and name == "run" else name
                table.add_column(header, no_wrap=True, justify="right" if name in ("p95", "cost") else "left")
        for run in self.runs:
            cells = run_cells(run)
            if stacked:
                cells["run"] = Text.assemble(cells["run"], "\n", cells["status"])
            table.add_row(*(cells[name] for name in shown))
        return table


def run_cells(run: RunRecord) -> dict[str, Text | str]:
    """One run's cells, by column."""
    metrics = run.metrics
    what = Text.assemble(inert(run.suite), " · ", inert(run.model_id))
    if run.label:
        what.append_text(inert(f" [{run.label}]", "cyan"))
    status = run.status
    return {
        "run": inert(run.id),
        "status": Text(status, style=STATUS_STYLE.get(status, "")),
        "pass [95% CI]": rate_cell(
            run.passed,
            run.failed,
            run.errors,
            metrics.cached if metrics else None,
            metrics.rate if metrics and run.status != "running" else None,
            run.epochs,
        ),
        "p95": ms(metrics.latency_ms.p95 if metrics else None),
        "cost": money(run.cost_usd),
        "suite · model": what,
    }
