"""Runs: every run in the database, newest first, filtered by suite, model, label and status.

Every column but the label is shown from 80 columns wide, however long the names: when they do not
all fit as they read in full, the suite's and the model's names are cut to share what is left; when
that would leave them too short, the row is made compact (the start time to the minute, the run
id's random tail, the status as a mark). Below that, columns are left out, the least telling first.
Names are untrusted text: cells are `Text`, never markup."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input
from textual.worker import Worker, get_current_worker

import evaltui.format as fmt
from evaltui.errors import EvaltuiError
from evaltui.records import RunRecord
from evaltui.tui.host import host
from evaltui.tui.widgets import figures
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.safe_text import one_line
from evaltui.tui.widgets.tones import run_status_tone, tone
from evaltui.tui.worker_errors import ReportsWorkerErrors

LIMIT = 500
FILTER_KEYS = ("suite", "model", "label", "status")
COLUMNS = ("started", "run", "suite", "model", "status", "pass rate", "done", "label")
KEPT = COLUMNS[:-1]  # what a layout shows, made compact rather than left out (the label may go)
DROPPED_FIRST = ("label", "started", "model", "suite", "status", "run")  # when even compact is too wide
NAMES = 28  # cells of a suite's or a model's name in the full layout
# The fewest cells a name is cut to before the row is made compact, and when it is compact.
SHORTEST_FULL, SHORTEST_COMPACT = 12, 8
# A run's status in the compact layout: one mark each, told apart without colour.
STATUS_MARKS = {"completed": "✓", "running": "▶", "interrupted": "‖", "stopped": "■", "failed": "✗"}


@dataclass(frozen=True)
class RowLayout:
    """How a run's cells read: in full, or compact (see the module's docstring), with the suite's
    and the model's names cut to `suite` and `model` cells."""

    compact: bool = False
    suite: int = NAMES
    model: int = NAMES


FULL = RowLayout()


def column_widths(rows: list[dict[str, Text]]) -> dict[str, int]:
    """Each column's widest cell (its name included), padded by one cell either side."""
    return {name: max([cell_len(name), *(row[name].cell_len for row in rows)]) + 2 for name in COLUMNS}


def fitting_columns(rows: list[dict[str, Text]], width: int) -> list[str]:
    """The columns whose widest cells fit in `width`, dropping the least telling first, so a
    narrow terminal still shows each run's pass rate and progress."""
    widths = column_widths(rows)
    shown = list(COLUMNS)
    for name in DROPPED_FIRST:
        if sum(widths[n] for n in shown) + 2 <= width:  # the first column may carry a mark ("A ")
            break
        shown.remove(name)
    return shown


def keeps_all(rows: list[dict[str, Text]], width: int) -> bool:
    """Whether every column but the label fits in `width`."""
    return set(KEPT) <= set(fitting_columns(rows, width))


def shared_names(suite: int, model: int, room: int) -> tuple[int, int]:
    """Cells for the suite's and the model's names (widest `suite` and `model`) sharing `room`:
    each keeps its own when both fit, else the shorter keeps its own up to half and the other
    takes the rest."""
    if suite + model <= room:
        return suite, model
    half = room // 2
    if suite <= half:
        return suite, room - suite
    if model <= half:
        return room - model, model
    return half, room - half


def names_cut(rows: list[dict[str, Text]], width: int, compact: bool) -> RowLayout:
    """The layout whose names share what the other columns but the label leave of `width`, for
    `rows` made as `compact` says with the names in full; a name is cut to no fewer than
    `SHORTEST_FULL` or `SHORTEST_COMPACT` cells, even where that does not fit."""
    widths = column_widths(rows)
    others = sum(widths[name] for name in KEPT if name not in ("suite", "model")) + 2  # and a mark
    room = width - others - 4  # the names' columns are padded too
    suite, model = (widths[name] - 2 for name in ("suite", "model"))
    shortest = SHORTEST_COMPACT if compact else SHORTEST_FULL
    cut = shared_names(suite, model, max(room, 0))
    return RowLayout(
        compact, *(max(got, min(full, shortest)) for got, full in zip(cut, (suite, model), strict=True))
    )


def parse_filters(text: str) -> dict[str, str]:
    """`suite:NAME model:ID label:X status:completed` to store filters; anything else is an error."""
    filters: dict[str, str] = {}
    for word in text.split():
        key, sep, value = word.partition(":")
        if not sep or key not in FILTER_KEYS or not value:
            raise EvaltuiError(f"Filter {word!r}: write key:value with key one of {', '.join(FILTER_KEYS)}.")
        filters[key] = value
    return filters


class RunsScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "runs.tcss"
    BINDINGS = [
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="Filter: suite:NAME model:ID label:X status:S",
            id="runs.filter",
        ),
        Binding(
            "escape",
            "escape",
            "Back",
            show=False,
            tooltip="Leave the filter box, clear the filter, or go back",
            id="runs.escape",
        ),
        Binding("space", "mark", "Mark", tooltip="Mark a run to compare (first A, then B)", id="runs.mark"),
        Binding(
            "c",
            "compare",
            "Compare",
            tooltip="Compare the two marked runs: is B better than A?",
            id="runs.compare",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[RunRecord] = []
        self.filters: dict[str, str] = {}
        self.shown: list[str] = []  # the columns on show, in order
        self.row_layout = FULL  # how their cells read
        self._said_empty: dict[str, str] = {}  # the filter last said to match no run

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/ filter: suite:NAME model:ID label:X status:completed", id="runs-filter")
        table: DataTable[Text] = DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#runs", DataTable)
        host(self).run_changed.subscribe(self, lambda _run_id: self._load(self.filters))
        host(self).run_progress.subscribe(self, self._run_moved)
        table.focus()
        self._load(self.filters)

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs", name="Listing runs")
    def _load(self, filters: dict[str, str]) -> None:
        runs = host(self).store.list_runs(
            limit=LIMIT,
            suite=filters.get("suite"),
            model=filters.get("model"),
            label=filters.get("label"),
            status=filters.get("status"),
        )
        self.app.call_from_thread(self._show, runs, get_current_worker())

    def _show(self, runs: list[RunRecord], read: Worker[None]) -> None:
        if read.is_cancelled:  # a newer listing was asked for (a run started or ended meanwhile)
            return
        self.runs = runs
        self._fill()
        if not runs and self.filters and self.filters != self._said_empty:  # once a filter, not per reload
            self._said_empty = dict(self.filters)  # the table has no room to say why it is empty
            shown = " ".join(f"{key}:{value}" for key, value in self.filters.items())
            self.notify(f"No runs match {shown}; escape clears the filter.", markup=False)
        self.query_one(
            "#runs", DataTable
        ).border_title = f"Runs ({len(runs)}{'+' if len(runs) == LIMIT else ''})"

    def _done(self, run: RunRecord) -> Text:
        """done/total; for a run going on (here or in another process), as of now."""
        live = host(self).live.progress(run.id) if run.status == "running" else None
        done, total = live or (run.done, run.total)
        return Text(f"{done:,}/{total:,}", justify="right")

    def _run_moved(self, run_id: str) -> None:
        for run in self.runs:
            if run.id == run_id:
                self.query_one("#runs", DataTable).update_cell(run_id, "done", self._done(run))

    def on_resize(self) -> None:
        if self.runs:
            self._fill()

    def _cells(self, run: RunRecord, layout: RowLayout = FULL) -> dict[str, Text]:
        """A run's cells by column, as `layout` reads them."""
        status = run.status
        if layout.compact:
            started = Text(run.started_at[5:16].replace("T", " "))
            tail = run.id if len(run.id) <= 7 else f"…{run.id[-6:]}"  # the rest tells when it started
            run_id = one_line(tail, 7)
            mark = STATUS_MARKS.get(status)
            status_cell = Text(mark, run_status_tone(self.app, status)) if mark else one_line(status, 12)
        else:
            started = Text(run.started_at[:19].replace("T", " "))
            run_id = one_line(run.id, 24)
            status_cell = Text(status, run_status_tone(self.app, status))
        return {
            "started": started,
            "run": run_id,
            "suite": one_line(run.suite, layout.suite),
            "model": one_line(run.model_id, layout.model),
            "status": status_cell,
            "pass rate": Text(fmt.pct(figures.run_pass_rate(run)), justify="right"),
            "done": self._done(run),
            "label": one_line(run.label or "", 20),
        }

    def _fill(self) -> None:
        """The rows, in the columns that fit the table's width: in full, names cut, or compact (see
        the module's docstring), whichever first keeps every column but the label."""
        table = self.query_one("#runs", DataTable)
        width = table.scrollable_content_region.width
        layout = FULL
        cells = [self._cells(run, layout) for run in self.runs]
        for compact in (False, True):
            if keeps_all(cells, width):
                break
            whole = [self._cells(run, RowLayout(compact)) for run in self.runs]
            layout = names_cut(whole, width, compact)
            cells = [self._cells(run, layout) for run in self.runs]
        columns = fitting_columns(cells, width)
        self.row_layout = layout
        row = table.cursor_row
        # Columns as wide as their widest cell, set before any row paints: DataTable otherwise sizes
        # them when idle, after the first rows were painted (and cached) cut to narrower widths. The
        # first has room for the mark of a run marked for comparison ("A ").
        widths = [max([cell_len(name), *(c[name].cell_len for c in cells)]) for name in columns]
        widths[0] += 2
        for run, row_cells in zip(self.runs, cells, strict=True):
            row_cells[columns[0]] = self._marked(run, row_cells[columns[0]])
        table.clear(columns=True)
        self.shown = columns
        for name, width in zip(columns, widths, strict=True):
            table.add_column(name, key=name, width=width)
        for run, row_cells in zip(self.runs, cells, strict=True):
            table.add_row(*(row_cells[name] for name in columns), key=run.id)
        table.move_cursor(row=row)

    def _marked(self, run: RunRecord, cell: Text) -> Text:
        """The first cell of a run marked for comparison starts with its tag, A or B."""
        if run.id not in self.marked:
            return cell
        tag = "AB"[self.marked.index(run.id)]
        return Text.assemble((f"{tag} ", tone(self.app, "primary", bold=True)), cell)

    def action_mark(self) -> None:
        table = self.query_one("#runs", DataTable)
        if not 0 <= table.cursor_row < len(self.runs):
            return
        run_id = self.runs[table.cursor_row].id
        host(self).toggle_mark(run_id)
        first = self.shown[0]
        for run in self.runs:
            cell = self._cells(run, self.row_layout)[first]
            table.update_cell(run.id, first, self._marked(run, cell), update_width=True)

    @property
    def marked(self) -> list[str]:
        return host(self).marked

    def action_compare(self) -> None:
        if len(self.marked) != 2:
            self.notify("Mark two runs with space (A first, then B), then press c.", markup=False)
            return
        host(self).open_compare(*self.marked)

    def action_filter(self) -> None:
        box = self.query_one("#runs-filter", Input)
        box.focus()
        box.select_all()  # what is typed replaces the last filter; arrows keep it to edit

    @on(Input.Submitted, "#runs-filter")
    def _filtered(self, event: Input.Submitted) -> None:
        try:
            self.filters = parse_filters(event.value)
        except EvaltuiError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self._load(self.filters)
        self.query_one("#runs", DataTable).focus()

    @on(DataTable.RowSelected, "#runs")
    def _selected(self, event: DataTable.RowSelected) -> None:
        """`enter` (or a click) on a run opens it."""
        if 0 <= event.cursor_row < len(self.runs):
            host(self).open_run(self.runs[event.cursor_row].id)

    def action_escape(self) -> None:
        """Leave the filter box; else clear a submitted filter; else go back."""
        box = self.query_one("#runs-filter", Input)
        if box.has_focus:
            self.query_one("#runs", DataTable).focus()
        elif self.filters:
            box.value = ""
            self.filters = {}
            self._load(self.filters)
        else:
            host(self).action_go_back(False)
