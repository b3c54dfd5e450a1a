"""Quit (modal): asked only while runs of this window are live, since quitting interrupts them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from evaltui.tui.widgets.footer import KeysFooter


def question(running: int) -> str:
    if running == 1:
        return "1 run is still running: quit and interrupt it?"
    return f"{running} runs are still running: quit and interrupt them?"


class QuitScreen(ModalScreen[bool]):
    """Dismisses with True to quit; anything else stays."""

    CSS_PATH = "quit.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Quit", tooltip="Interrupt the live runs and quit", id="quit.yes"),
        Binding(
            "n,escape", "answer(False)", "Stay", tooltip="Keep the runs going; do not quit", id="quit.no"
        ),
    ]

    def __init__(self, running: int) -> None:
        super().__init__()
        self.running = running

    def compose(self) -> ComposeResult:
        with Vertical(id="quit"):
            yield Static(question(self.running), id="question")
            yield Static("Results so far stay, and the run can be resumed later.", id="hint")
        yield KeysFooter()

    def action_answer(self, leave: bool) -> None:
        self.dismiss(leave)
