"""Help: every key binding, screen by screen, from the bindings themselves (so it cannot drift)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.compare import CompareScreen
from evaltui.tui.screens.diff import DiffScreen
from evaltui.tui.screens.launch import LaunchScreen
from evaltui.tui.screens.matrix import MatrixScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.runs import RunsScreen
from evaltui.tui.screens.suites import SuitesScreen
from evaltui.tui.widgets.diff_view import DiffView
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.result_table import ResultTable
from evaltui.tui.worker_errors import ReportsWorkerErrors

TOUR = (
    "Start: highlight a suite and press r, pick models, press enter. The run opens live; press f "
    "for failures, enter on a case, then n / p to walk through every failing case. ctrl+p finds a "
    "suite, a run or a case by id, and lists the comparisons at hand: with the previous run, with "
    "the baseline, the two marked runs, the matrix of a launch."
)


class HelpScreen(ReportsWorkerErrors, ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", tooltip="Close the help", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text(TOUR), id="tour")
            yield Static(self._table())
        yield KeysFooter()

    def _table(self) -> Table:
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("what")
        table.add_column("more", style="dim")
        sections: list[tuple[str, list[BindingType]]] = [
            ("Everywhere", list(self.app.BINDINGS)),
            ("Suites (home)", SuitesScreen.BINDINGS),
            ("Launch", LaunchScreen.BINDINGS),
            ("Run", RunScreen.BINDINGS + ResultTable.BINDINGS),
            ("Case", CaseScreen.BINDINGS),
            ("All runs", RunsScreen.BINDINGS),
            ("Compare", CompareScreen.BINDINGS),
            ("Diff", DiffScreen.BINDINGS + DiffView.BINDINGS),
            ("Matrix", MatrixScreen.BINDINGS),
        ]
        for title, bindings in sections:
            table.add_row(Text(title, style="bold underline"), "", "")
            for binding in bindings:
                if isinstance(binding, Binding):
                    keys = ", ".join(
                        self.app.get_key_display(Binding(key, "")) for key in binding.key.split(",")
                    )
                    table.add_row(keys, binding.description, binding.tooltip)
            table.add_row("", "", "")
        return table
