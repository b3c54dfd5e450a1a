"""Help: every key binding, screen by screen, from the bindings themselves (so it cannot drift),
with the keys the user's keymap gives them (`keymap:` in the config, applied as Textual does) and
each binding's id, the name a keymap uses."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, Keymap
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from evaltui.tui.host import host
from evaltui.tui.screens.accept import AcceptScreen
from evaltui.tui.screens.annotate import LabelScreen, NoteScreen
from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.compare import CompareScreen
from evaltui.tui.screens.diff import DiffScreen
from evaltui.tui.screens.launch import LaunchScreen
from evaltui.tui.screens.matrix import MatrixScreen
from evaltui.tui.screens.quit import QuitScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.runs import RunsScreen
from evaltui.tui.screens.suites import SuitesScreen, SuitesTable
from evaltui.tui.widgets.diff_view import DiffView
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.result_table import ResultTable
from evaltui.tui.worker_errors import ReportsWorkerErrors

TOUR = (
    "Start: highlight a suite and press r, pick models, press enter. The run opens live; press f "
    "for failures, enter on a case, then n / p to walk through every failing case. ctrl+p finds a "
    "suite, a run or a case by id, and lists the comparisons at hand: with the previous run, with "
    "the baseline, the two marked runs, the matrix of a launch. On a failing case: l labels it, N "
    "notes it, a accepts its output as the expected value; on the run, F reruns the failing cases and "
    "S rescores it; T on a suite draws its trends."
)


class HelpScreen(ReportsWorkerErrors, ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", tooltip="Close the help", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text(TOUR), id="tour")
            yield Static(self._table(), id="keys")
        yield KeysFooter()

    def _table(self) -> Table:
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("what")
        table.add_column("more", style="dim")
        keymap: Keymap = host(self).config.keymap
        for title, classes in binding_sections(type(self.app)):
            table.add_row(Text(title, style="bold underline"))
            for node in classes:
                for binding, keys in bound_keys(node, keymap):
                    shown = ", ".join(self.app.get_key_display(Binding(key, "")) for key in keys)
                    more = Text.assemble(binding.tooltip, (f"  {binding.id}" if binding.id else "", "italic"))
                    table.add_row(shown or "(none)", binding.description, more)  # the id: what a keymap names
            table.add_row()
        return table


def binding_sections(app: type[DOMNode]) -> list[tuple[str, list[type[DOMNode]]]]:
    """Every class that declares bindings, by the screen they act on, in the order Help lists them."""
    return [
        ("Everywhere", [app]),
        ("Suites (home)", [SuitesScreen, SuitesTable]),
        ("Launch", [LaunchScreen]),
        ("Run", [RunScreen, ResultTable]),
        ("Case", [CaseScreen]),
        ("All runs", [RunsScreen]),
        ("Compare", [CompareScreen]),
        ("Diff", [DiffScreen, DiffView]),
        ("Matrix", [MatrixScreen]),
        ("Label and note", [LabelScreen, NoteScreen]),
        ("Accept", [AcceptScreen]),
        ("Quit", [QuitScreen]),
        ("Help", [HelpScreen]),
    ]


def unknown_binding_ids(app: type[DOMNode], keymap: Keymap) -> list[str]:
    """The ids a keymap names that no binding has (a typo rebinds nothing, silently otherwise)."""
    known = {
        binding.id
        for _, classes in binding_sections(app)
        for node in classes
        for binding in node.BINDINGS
        if isinstance(binding, Binding) and binding.id
    }
    return [name for name in keymap if name not in known]


def bound_keys(node: type[DOMNode], keymap: Keymap) -> list[tuple[Binding, list[str]]]:
    """Each binding a class declares, with the keys it has once `keymap` is applied. Textual
    applies a keymap per widget, so each class's bindings are mapped on their own: a key the
    keymap gives the app does not unbind a screen's own use of it."""
    declared = [binding for binding in node.BINDINGS if isinstance(binding, Binding)]
    bound = BindingsMap(declared)
    bound.apply_keymap(keymap)
    keys: dict[tuple[str, str, str | None], list[str]] = {}
    for key, bindings in bound.key_to_bindings.items():
        for binding in bindings:
            keys.setdefault((binding.action, binding.description, binding.id), []).append(key)
    return [(b, keys.get((b.action, b.description, b.id), [])) for b in declared]
