"""Matrix: the runs of one launch (several models, one run group) as cases × models.

The header holds each model's pass rate ± interval, p95 latency and cost; the table pages
through case ids (all, or only those the models disagree on), reading one page of verdicts at a
time. `a`/`b` choose which two models `enter` diffs. A model's cell on a case that called tools
holds the number of calls beside its verdict mark (`✓2`)."""

from __future__ import annotations

from functools import partial

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

import evaltui.format as fmt
from evaltui.records import RunRecord
from evaltui.reports.matrix import CaseIds, Model, VerdictRow, case_ids, group_models, verdict_page
from evaltui.tui.host import host
from evaltui.tui.screens.diff import DiffScreen
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.paged_table import STATUS_ICONS, PagedTable
from evaltui.tui.widgets.safe_text import one_line
from evaltui.tui.widgets.tones import tone
from evaltui.tui.worker_errors import ReportsWorkerErrors

CELL = 3  # cells per model column


class MatrixTable(PagedTable[VerdictRow]):
    """One case a line: its id, one verdict mark per model (numbered as in the header), its input."""

    def _cells(self, row: VerdictRow | None, width: int, muted: Style) -> Text:
        line = Text(no_wrap=True, end="")
        if row is None:
            return line.append("  …", muted)
        id_width = 22 if width >= 100 else 14
        line.append_text(one_line(row.case_id, id_width))
        line.truncate(id_width + 1, pad=True)
        for status, calls in zip(row.cells, row.calls, strict=True):
            mark = STATUS_ICONS.get(status, "·") if status else "·"
            if calls:
                mark += str(calls) if calls < 10 else "+"
            line.append(mark.center(CELL), self._status_style(status or ""))
        line.append(" ")
        line.append_text(one_line(row.input, max(width - line.cell_len, 0), style=muted))
        return line

    def header_for(self, count: int) -> None:
        self.models = count
        self.refresh()

    def _header(self, width: int) -> Text:
        id_width = 22 if width >= 100 else 14
        line = Text("case".ljust(id_width + 1), no_wrap=True, end="")
        for index in range(getattr(self, "models", 0)):
            line.append(str(index + 1).center(CELL))
        line.append(" input")
        return line


class MatrixScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "matrix.tcss"
    BINDINGS = [
        Binding(
            "d",
            "disagree",
            "Disagree",
            tooltip="Only cases the models disagree on (again: all)",
            id="matrix.disagree",
        ),
        Binding(
            "a",
            "pick(0)",
            "Model A",
            tooltip="Which model is on the left of the diff (cycles)",
            id="matrix.pick_a",
        ),
        Binding(
            "b",
            "pick(1)",
            "Model B",
            tooltip="Which model is on the right of the diff (cycles)",
            id="matrix.pick_b",
        ),
    ]

    def __init__(self, group_id: str) -> None:
        super().__init__()
        self.group_id = group_id
        self.models: list[Model] = []
        self.ids = CaseIds([], [])
        self.only_disagree = False
        self.pair = [0, 1]  # indexes of the models diffed by enter

    def compose(self) -> ComposeResult:
        yield Static("Reading the group…", id="matrix-models")
        yield Static(id="matrix-filters")
        yield MatrixTable(id="matrix-cases")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(MatrixTable).focus()
        self._load()

    @property
    def table(self) -> MatrixTable:
        return self.query_one(MatrixTable)

    @property
    def shown_ids(self) -> list[str]:
        return self.ids.disagree if self.only_disagree else self.ids.every

    @work(thread=True, exclusive=True, exit_on_error=False, group="matrix", name="Reading the run group")
    def _load(self) -> None:
        store = host(self).store
        models = group_models(store, self.group_id)
        if not models:
            self.app.call_from_thread(self.notify, f"No runs in group {self.group_id!r}.", severity="error")
            return
        ids = case_ids(store, [m.run.id for m in models])
        self.app.call_from_thread(self._loaded, models, ids)

    def _loaded(self, models: list[Model], ids: CaseIds) -> None:
        self.models, self.ids = models, ids
        self.pair = [0, min(1, len(models) - 1)]
        self.table.header_for(len(models))
        self._show_header()
        self._reload()

    def _reload(self) -> None:
        self._show_filters()
        self.table.loader = partial(self._read_page, [m.run for m in self.models], self.shown_ids)
        self.table.reset(len(self.shown_ids))

    def _show_header(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        muted = tone(self.app, "text-muted")
        for index, model in enumerate(self.models):
            rate, m = model.metrics.rate, model.metrics
            side = "A" if index == self.pair[0] else "B" if index == self.pair[1] else " "
            text.append("\n" if index else "")
            text.append(f"{side} {index + 1} ", tone(self.app, "primary", bold=True))
            text.append_text(one_line(model.run.model_id, 24, style="bold"))
            text.append(f"  {fmt.rate(rate.pass_rate, rate.lo, rate.hi)}")
            text.append(f"  p95 {fmt.ms(m.latency_ms.p95)}  cost {fmt.money(m.cost_usd)}", muted)
        self.query_one("#matrix-models", Static).update(text)

    def _show_filters(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for name, on_ in (("all", not self.only_disagree), ("models disagree", self.only_disagree)):
            count = len(self.ids.disagree if name != "all" else self.ids.every)
            text.append(f" {name} {count:,} ", "reverse bold" if on_ else "dim")
        self.query_one("#matrix-filters", Static).update(text)

    def _read_page(self, runs: list[RunRecord], ids: list[str], offset: int, limit: int) -> list[VerdictRow]:
        """The table's page loader (called in its worker): the verdicts of a page of the cases shown."""
        return verdict_page(host(self).store, runs, ids[offset : offset + limit])

    def action_disagree(self) -> None:
        self.only_disagree = not self.only_disagree
        self._reload()

    def action_pick(self, side: int) -> None:
        """Move one side of the diff to the next model that is not on the other side."""
        if len(self.models) < 2:
            return
        choice = self.pair[side]
        while True:
            choice = (choice + 1) % len(self.models)
            if choice != self.pair[1 - side]:
                break
        self.pair[side] = choice
        self._show_header()

    @on(PagedTable.CaseChosen)
    def _open_diff(self, event: PagedTable.CaseChosen) -> None:
        if len(self.models) < 2:
            return
        a, b = (self.models[i].run for i in self.pair)
        names = (f"{self.pair[0] + 1} {a.model_id}", f"{self.pair[1] + 1} {b.model_id}")
        walk_name = "disagreements" if self.only_disagree else "cases"
        screen = DiffScreen(a.id, b.id, event.case_id, walk=self.shown_ids, walk_name=walk_name, names=names)
        self.app.push_screen(screen)
