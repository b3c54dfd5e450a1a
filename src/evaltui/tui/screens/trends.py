"""Trends: a suite's quality over time (`T` on Suites). Pass rate with its 95% interval band, p95
latency and cost per run, one line per model, drawn with textual-plotext; a run whose pass rate
fell below what the runs before it support is marked ▼ and listed; below, the cases whose verdict
flips most often. The numbers are `reports.trends.suite_trends`, the same `evaltui trends` prints."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.color import Color, ColorParseError
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static
from textual_plotext import PlotextPlot

from evaltui.format import pct
from evaltui.reports.trends import Trends, suite_trends
from evaltui.tui.host import host
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.safe_text import inert_str, one_line
from evaltui.tui.widgets.tones import tone
from evaltui.tui.worker_errors import ReportsWorkerErrors

SERIES = ("primary", "secondary", "accent", "success", "warning", "foreground")  # theme variables
TICKS = 6  # dates written under the x axis at most


def timeline(trends: Trends) -> list[str]:
    """Every run drawn, in start order: a run's x is its place here, so models share one axis."""
    return sorted(p.run.started_at + p.run.run_id for points in trends.series.values() for p in points)


class TrendsScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "trends.tcss"

    def __init__(self, suite: str) -> None:
        super().__init__()
        self.suite = suite
        self.trends: Trends | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Reading the runs…"), id="trends-head")
        yield PlotextPlot(id="trends-pass")
        with Horizontal(id="trends-lower"):
            yield PlotextPlot(id="trends-latency")
            yield PlotextPlot(id="trends-cost")
        yield Static(id="trends-flips")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="trends", name="Reading the suite's runs")
    def _load(self) -> None:
        trends = suite_trends(host(self).store, self.suite)
        self.app.call_from_thread(self._show, trends)

    def _show(self, trends: Trends) -> None:
        self.trends = trends
        self.query_one("#trends-head", Static).update(self._head(trends))
        self.query_one("#trends-flips", Static).update(self._flips(trends))
        order = {key: index for index, key in enumerate(timeline(trends))}
        self._draw("#trends-pass", "pass rate % (dotted: 95% interval; ▼ drop)", trends, order, "pass")
        self._draw("#trends-latency", "p95 latency (ms)", trends, order, "p95")
        self._draw("#trends-cost", "cost per run ($)", trends, order, "cost")

    def _colour(self, variable: str) -> tuple[int, int, int]:
        """A theme colour as plotext takes it: series follow the theme, as everything else does."""
        try:
            return Color.parse(self.app.theme_variables.get(variable, "")).rgb
        except ColorParseError:
            return (128, 128, 128)

    def _draw(self, selector: str, title: str, trends: Trends, order: dict[str, int], what: str) -> None:
        widget = self.query_one(selector, PlotextPlot)
        plt = widget.plt
        plt.clear_figure()
        drawn = False
        for index, (model, points) in enumerate(trends.series.items()):
            colour = self._colour(SERIES[index % len(SERIES)])
            xs = [order[p.run.started_at + p.run.run_id] + 1 for p in points]
            label = inert_str(model, 30)
            if what == "pass":
                kept = [
                    (x, p, p.run.pass_rate * 100)
                    for x, p in zip(xs, points, strict=True)
                    if p.run.pass_rate is not None
                ]
                xs = [x for x, _, _ in kept]
                plt.plot(xs, [rate for _, _, rate in kept], label=label, color=colour)
                plt.plot(xs, [p.run.lo * 100 for _, p, _ in kept], color=colour, marker="dot")
                plt.plot(xs, [p.run.hi * 100 for _, p, _ in kept], color=colour, marker="dot")
                drops = [(x, rate) for x, p, rate in kept if p.drop]
                if drops:
                    plt.scatter(
                        [x for x, _ in drops], [y for _, y in drops], marker="▼", color=self._colour("error")
                    )
                plt.ylim(0, 100)
                drawn = drawn or bool(kept)
            else:
                values = [p.run.p95_ms if what == "p95" else p.run.cost_usd for p in points]
                kept_xy = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
                if kept_xy:
                    plt.plot([x for x, _ in kept_xy], [v for _, v in kept_xy], label=label, color=colour)
                    plt.ylim(0, None)  # never below nothing (runs that all cost $0 drew -1 to 1)
                    drawn = True
        # An empty chart must not read as "nothing happened": say that no run has a value (a cost
        # with no price known, a p95 where every answer came from the cache).
        plt.title(title if drawn else f"{title}: not known for any run")
        when = timeline(trends)
        if when:
            step = max(1, len(when) // TICKS)
            ticks = list(range(1, len(when) + 1, step))
            one_day = when[0][:10] == when[-1][:10]
            plt.xticks(
                [float(t) for t in ticks],
                [when[t - 1][11:16] if one_day else when[t - 1][5:10] for t in ticks],
            )
        widget.refresh()

    def _head(self, trends: Trends) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Trends ", "bold").append_text(one_line(trends.suite, 40, style="bold"))
        runs = sum(len(points) for points in trends.series.values())
        text.append(f"  {runs} completed run(s), {len(trends.series)} model(s)")
        if trends.left_out:
            text.append(
                f"  ({len(trends.left_out)} partial or rescored left out)", tone(self.app, "text-muted")
            )
        if not runs:
            text.append("\nNo completed runs of this suite yet: press q, then r to run it.")
        for point in trends.drops[-3:]:
            text.append("\n▼ drop: ", tone(self.app, "error", bold=True))
            text.append_text(one_line(point.run.model_id, 30))
            text.append(f" run {point.run.run_id} at {pct(point.run.pass_rate)}")
            if point.previous is not None:
                text.append(f", earlier runs put it at {pct(point.previous[0])}–{pct(point.previous[1])}")
        return text

    def _flips(self, trends: Trends) -> Text:
        text = Text("Cases whose verdict flips most", style="bold")
        if not trends.flips:
            return text.append("\n(none: every case kept its verdict from run to run)", style="dim")
        for flip in trends.flips:
            text.append("\n")
            text.append_text(one_line(flip.case_id, 40))
            text.append(f"  {flip.flips} flip(s) over {flip.runs} runs", tone(self.app, "text-muted"))
        return text
