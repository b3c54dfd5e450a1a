"""Home: every suite found, with case counts and the latest pass rate per model (and a
sparkline of its recent runs), and its runs going on now (here or in another process) with their
progress. A suite that fails to load is listed with its error, and so is one that loads but cannot
run (it fails where a run prepares it: an undefined template variable, a scorer's missing file), as
`evaltui validate` says of it."""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

import evaltui.format as fmt
from evaltui.config import Config
from evaltui.engine import prepare
from evaltui.errors import SuiteError
from evaltui.records import RunRecord
from evaltui.reports.trends import not_whole
from evaltui.store import Store
from evaltui.suites import SuiteEntry, iter_suites
from evaltui.suites.caselist import tag_counts
from evaltui.tui.host import host
from evaltui.tui.requests import LaunchRequest
from evaltui.tui.screens.launch import LaunchScreen
from evaltui.tui.screens.trends import TrendsScreen
from evaltui.tui.widgets import figures
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.safe_text import one_line, safe_text
from evaltui.tui.widgets.tones import tone
from evaltui.tui.worker_errors import ReportsWorkerErrors

RECENT = 8  # runs per model in the sparkline
COLUMNS = (" ", "suite", "cases", "latest pass rate by model (recent runs)")


def latest_by_model(runs: list[RunRecord]) -> dict[str, list[float]]:
    """Pass rates of finished runs per model, oldest first, at most RECENT each (runs come newest
    first). Only runs of the whole suite, as Trends draws: a `--limit 2` run's rate is not the
    suite's (the detail panel still lists it)."""
    rates: dict[str, list[float]] = {}
    for run in runs:
        rate = figures.run_pass_rate(run)
        if rate is None or run.status == "running" or not_whole(run):
            continue
        series = rates.setdefault(run.model_id, [])
        if len(series) < RECENT:
            series.insert(0, rate)
    return rates


RECENT_RUNS = 40  # per suite: what its row's pass rates and sparklines draw from
SHOW_EVERY_S = 0.2  # while suites load, the table is redrawn at most this often
PROGRESS_EVERY_S = 1.0  # running runs' progress is redrawn at most this often


def recent_runs(store: Store, suite: str) -> list[RunRecord]:
    """The runs a suite's row and details draw from, newest first."""
    return store.list_runs(suite=suite, limit=RECENT_RUNS)


class SuitesTable(DataTable[Text]):
    """The suites, one a row. `enter` is the table's own key, not a priority binding of the screen:
    a priority binding runs as soon as the key arrives, before arrow keys typed just ahead of it
    have moved the cursor, and so opened the suite the cursor was on before them."""

    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Latest run",
            tooltip="Open the latest run of the highlighted suite",
            id="suites.open",
        ),
    ]


class SuitesScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "suites.tcss"
    BINDINGS = [
        Binding(
            "r",
            "launch",
            "Run suite",
            tooltip="Run the highlighted suite (choose models first)",
            id="suites.launch",
        ),
        Binding("f5", "reload", "Reload", tooltip="Read the suite folders again", id="suites.reload"),
        Binding(
            "T",
            "trends",
            "Trends",
            tooltip="Pass rate, p95 latency and cost of the highlighted suite's runs over time",
            id="suites.trends",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[SuiteEntry] = []
        self.runs: dict[str, list[RunRecord]] = {}
        self.reading = True  # the suite folders are being read; `entries` may be the first few
        self._stale = False  # runs changed while another screen was on top
        self._moved = False  # a running run moved on since the table was drawn
        self._reads = 0  # reads of the runs asked for, numbered: they can finish out of order
        self._read_shown = 0  # the number of the newest read on screen

    def compose(self) -> ComposeResult:
        table = SuitesTable(id="suites", cursor_type="row", zebra_stripes=True)
        table.border_title = "Suites"
        yield table
        with VerticalScroll(id="suite-detail"):
            yield Static(id="detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#suites", DataTable).add_columns(*COLUMNS)
        # A run that starts or ends changes the pass rates shown, not the suites: re-read the runs only.
        host(self).run_changed.subscribe(self, self._run_changed)
        host(self).run_progress.subscribe(self, self._run_moved)
        self.set_interval(PROGRESS_EVERY_S, self._show_progress)
        self.action_reload()

    def _run_changed(self, _run_id: str) -> None:
        self._load_runs(list(self.entries), self._next_read())

    def _run_moved(self, _run_id: str) -> None:
        self._moved = True

    def _show_progress(self) -> None:
        """Redraw for the progress of running runs: on a timer, not per case."""
        if self._moved and self.app.screen is self and not self.reading:
            self._moved = False
            self._show(self.entries, self.runs)

    def action_reload(self) -> None:
        self.reading = True
        self.query_one("#suites", DataTable).border_title = "Suites (loading…)"
        self._load(list(host(self).suite_dirs), self._next_read())

    def _next_read(self) -> int:
        self._reads += 1
        return self._reads

    def _fresher(self, runs: dict[str, list[RunRecord]], read: int) -> dict[str, list[RunRecord]]:
        """The runs of read number `read` merged with those on screen. Thread workers run to their
        end even when a newer one replaces them, so a read that started earlier can finish later:
        for the suites both hold, the later read wins, whichever finished first."""
        if read < self._read_shown:
            return {**self.runs, **{name: rows for name, rows in runs.items() if name not in self.runs}}
        self._read_shown = read
        return {**self.runs, **runs}

    @work(thread=True, exclusive=True, exit_on_error=False, group="suites", name="Loading suites")
    def _load(self, dirs: list[Path], read: int) -> None:
        """Suites appear as they load (a folder of large suites takes a while), at most every
        SHOW_EVERY_S and once more at the end."""
        store = host(self).store
        entries: list[SuiteEntry] = []
        runs: dict[str, list[RunRecord]] = {}
        shown = time.monotonic()
        for loaded in iter_suites(dirs):
            entry = checked(loaded)
            entries.append(entry)
            if entry.suite is not None:
                runs[entry.suite.name] = recent_runs(store, entry.suite.name)
            if time.monotonic() - shown >= SHOW_EVERY_S:
                self.app.call_from_thread(self._show_some, list(entries), dict(runs), read)
                shown = time.monotonic()
        self.app.call_from_thread(self._loaded, entries, runs, read)

    def _show_some(self, entries: list[SuiteEntry], runs: dict[str, list[RunRecord]], read: int) -> None:
        self._show(entries, self._fresher(runs, read))

    def _loaded(self, entries: list[SuiteEntry], runs: dict[str, list[RunRecord]], read: int) -> None:
        self.reading = False
        self.query_one("#suites", DataTable).border_title = "Suites"
        self._show(entries, self._fresher(runs, read))

    @work(thread=True, exclusive=True, exit_on_error=False, group="suite-runs", name="Reading runs")
    def _load_runs(self, entries: list[SuiteEntry], read: int) -> None:
        store = host(self).store
        runs = {e.suite.name: recent_runs(store, e.suite.name) for e in entries if e.suite}
        self.app.call_from_thread(self._show_runs, runs, read)

    def _show_runs(self, runs: dict[str, list[RunRecord]], read: int) -> None:
        """Fresh runs for the suites on show (which may have been reloaded meanwhile). Under another
        screen (a run was just launched and its screen is opening) the table is redrawn only when
        this screen shows again."""
        self.runs = self._fresher(runs, read)
        if self.app.screen is self:  # not `is_current`: true too for the screen just below the top
            self._show(self.entries, self.runs)
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._show(self.entries, self.runs)

    def _show(self, entries: list[SuiteEntry], runs: dict[str, list[RunRecord]]) -> None:
        self.entries, self.runs, self._stale = entries, runs, False
        host(self).suites = entries
        table = self.query_one("#suites", DataTable)
        keep = table.cursor_row
        rows = [self._cells(entry) for entry in entries]
        # Columns as wide as their widest cell, set before any row paints: DataTable otherwise sizes
        # them when idle, after some rows were painted (and cached) at the narrower widths.
        table.clear(columns=True)
        for label, width in zip(COLUMNS, column_widths(COLUMNS, rows), strict=True):
            table.add_column(label, width=width)
        for index, row in enumerate(rows):
            table.add_row(*row, key=str(index))
        if entries:
            table.move_cursor(row=min(keep, len(entries) - 1))
        self._describe(table.cursor_row)

    def _cells(self, entry: SuiteEntry) -> tuple[Text, ...]:
        error = tone(self.app, "error")
        if entry.suite is None:
            name = one_line(entry.path.name, 40)
            return Text("✗", error), name, Text("–"), one_line(briefly(entry.error), 80, style=error)
        if entry.error is not None:  # loads, cannot run
            cases = Text(str(len(entry.suite.cases)))
            why = one_line(f"cannot run: {briefly(entry.error)}", 80, style=error)
            return Text("✗", error), one_line(entry.suite.name, 40), cases, why
        runs = self.runs.get(entry.suite.name, [])
        summary = Text(no_wrap=True)
        running = [run for run in runs if run.status == "running"]
        live = host(self).live
        for run in running:
            done, total = live.progress(run.id) or (run.done, run.total)
            summary.append_text(one_line(run.model_id, 24))
            summary.append(f" running {done:,}/{total:,}  ", tone(self.app, "warning", bold=True))
        for model, series in latest_by_model(runs).items():
            summary.append_text(one_line(model, 24))
            summary.append(f" {fmt.pct(series[-1])} ", "bold")
            summary.append(figures.sparkline(series) + "  ", "dim")
        mark = Text("▶", tone(self.app, "warning")) if running else Text("●", tone(self.app, "success"))
        return (
            mark,
            one_line(entry.suite.name, 40),
            Text(str(len(entry.suite.cases))),
            summary,
        )

    @on(DataTable.RowHighlighted, "#suites")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(event.cursor_row)

    @on(DataTable.RowSelected, "#suites")
    def _selected(self, event: DataTable.RowSelected) -> None:
        """`enter` (or a click on the highlighted row) opens the suite's latest run."""
        event.stop()
        self.action_open_latest()

    def selected(self) -> SuiteEntry | None:
        row = self.query_one("#suites", DataTable).cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _describe(self, row: int) -> None:
        detail = self.query_one("#detail", Static)
        if not 0 <= row < len(self.entries):
            detail.update(Text("No suites found. Put suite YAML files in ./evals or pass --suites DIR."))
            return
        detail.update(describe_entry(self.entries[row], self.runs))

    def select_suite(self, name: str) -> None:
        for index, entry in enumerate(self.entries):
            if entry.suite and entry.suite.name == name:
                self.query_one("#suites", DataTable).move_cursor(row=index)

    def action_launch(self) -> None:
        entry = self.selected()
        if entry is None or entry.suite is None:
            self.notify("Pick a suite that loads first (this one has an error).", severity="warning")
            return
        if entry.error is not None:
            self.notify(str(entry.error), title="This suite cannot run", severity="warning", markup=False)
            return
        config: Config = host(self).config
        self.app.push_screen(LaunchScreen(entry.suite, config.concurrency), self._launched)

    def _launched(self, request: LaunchRequest | None) -> None:
        if request is not None:
            host(self).live.launch(request)
            self.notify(f"Starting {len(request.models)} run(s)…", markup=False)

    def action_open_latest(self) -> None:
        entry = self.selected()
        runs = self.runs.get(entry.suite.name, []) if entry and entry.suite else []
        if not runs:
            self.notify("No runs of this suite yet: press r to run it.", markup=False)
            return
        host(self).open_run(runs[0].id)

    def action_trends(self) -> None:
        entry = self.selected()
        if entry is None or entry.suite is None:
            self.notify("Highlight a suite that loads to see its trends.", markup=False)
            return
        self.app.push_screen(TrendsScreen(entry.suite.name))


def briefly(error: SuiteError | None) -> str:
    """An error for a row of the table: its file by name only (the detail panel has the path), so
    that line, field and message fit."""
    if error is None or not error.file:
        return str(error)
    return str(SuiteError(error.message, file=Path(error.file).name, line=error.line, field=error.field))


def checked(entry: SuiteEntry) -> SuiteEntry:
    """A loaded suite prepared as a run would prepare it (its scorers compiled, its cases rendered),
    so that one no run can start is listed with the reason, not as a healthy suite."""
    if entry.suite is None:
        return entry
    try:
        prepare(entry.suite)
    except SuiteError as exc:
        return SuiteEntry(path=entry.path, suite=entry.suite, error=exc)
    return entry


def column_widths(labels: tuple[str, ...], rows: list[tuple[Text, ...]]) -> list[int]:
    """Each column's width in cells: its widest cell or its label."""
    return [max([len(label), *(row[i].cell_len for row in rows)]) for i, label in enumerate(labels)]


def describe_entry(entry: SuiteEntry, runs: dict[str, list[RunRecord]]) -> Text:
    """The detail panel: what a suite is and how it has done lately (or why it did not load)."""
    text = Text()
    if entry.suite is None:
        text.append("This suite did not load\n\n", "bold")
        text.append_text(safe_text(str(entry.error)))
        text.append("\n\nFix the file and press F5 to reload.", "dim")
        return text
    suite = entry.suite
    text.append_text(one_line(suite.name, 200, style="bold"))
    text.append("\n")
    if entry.error is not None:
        text.append("This suite loads but cannot run\n", "bold")
        text.append_text(safe_text(str(entry.error)))
        text.append("\nFix the file and press F5 to reload.\n", "dim")
    text.append_text(safe_text(suite.description or "(no description)", limit=2000))
    text.append("\n\nfile     ", "dim")
    text.append_text(one_line(str(entry.path), 200))
    text.append("\nscorers  ", "dim")
    text.append_text(one_line(", ".join(s.label for s in suite.scorers) or "(per case)", 200))
    text.append("\nmodels   ", "dim")
    text.append_text(one_line(", ".join(m.id for m in suite.models) or "(none: pick one when you run)", 200))
    tags = tag_counts(suite.cases)
    text.append("\ntags     ", "dim")
    text.append_text(one_line(", ".join(f"{t} ({n})" for t, n in tags.most_common(12)) or "–", 200))
    text.append("\n\nrecent runs\n", "bold")
    for run in runs.get(suite.name, [])[:6]:
        line = f"{run.id}  {run.status:<11} {fmt.pct(figures.run_pass_rate(run)):>7}  "
        text.append(line)
        text.append_text(one_line(f"{run.model_id} {run.label or ''}", 60))
        text.append("\n")
    if not runs.get(suite.name):
        text.append("none yet: press r to run this suite\n", "dim")
    return text
