"""Accept (modal): the change `a` would make to the suite's source, shown as a diff, and the
question. It only asks; the Case screen writes the edit when the answer is yes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from evaltui.suites.edit import Edit
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.safe_text import safe_text
from evaltui.tui.widgets.tones import tone


class AcceptScreen(ModalScreen[bool]):
    """Dismisses with True to write the edit; anything else leaves the file as it is."""

    CSS_PATH = "accept.tcss"
    BINDINGS = [
        Binding(
            "y", "answer(True)", "Write it", tooltip="Write the output as the expected value", id="accept.yes"
        ),
        Binding("n,escape", "answer(False)", "Cancel", tooltip="Leave the suite as it is", id="accept.no"),
    ]

    def __init__(self, case_id: str, edit: Edit) -> None:
        super().__init__()
        self.case_id = case_id
        self.edit = edit

    def compose(self) -> ComposeResult:
        with Vertical(id="accept"):
            question = Text("Accept this output as the expected value of ", "bold")
            yield Static(question.append_text(safe_text(self.case_id, limit=80)).append("?"))
            with VerticalScroll(id="accept-diff"):
                yield Static(self._diff())
            yield Static(
                "y writes it into the file (nothing else in it changes) · n leaves it", id="accept-hint"
            )
        yield KeysFooter()

    def _diff(self) -> Text:
        text = Text()
        for index, line in enumerate(self.edit.diff().splitlines()):
            style = tone(self.app, "success") if line.startswith("+") else None
            style = tone(self.app, "error") if line.startswith("-") else style
            text.append("\n" if index else "")
            text.append_text(safe_text(line, style=style or "", limit=2000))
        return text

    def action_answer(self, write: bool) -> None:
        self.dismiss(write)
