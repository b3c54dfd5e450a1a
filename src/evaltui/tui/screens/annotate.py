"""Label and Note (modals): what a reviewer concluded about a case, asked for on the Case and
Compare screens (`l`, `N`). They only ask; the screen that opened them writes the annotation.

Label offers the suite's `labels:` (else the usual five) and takes a new one typed in the box.
Note is a multi-line text area; ctrl+s keeps it, escape drops it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from evaltui.store.annotations import DEFAULT_LABELS
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.safe_text import one_line


def label_choices(suite_labels: Iterable[str], defaults: Iterable[str]) -> list[str]:
    """The suite's own labels when it names any, else the defaults; each once, in order."""
    chosen = list(suite_labels) or list(defaults)
    return list(dict.fromkeys(label for label in chosen if label.strip()))


class LabelScreen(ModalScreen[str | None]):
    """Dismisses with the label chosen or typed; None when left with escape."""

    CSS_PATH = "annotate.tcss"
    BINDINGS = [
        Binding("escape", "leave", "Cancel", tooltip="Close without labelling", id="label.cancel"),
    ]

    def __init__(self, case_id: str, labels: list[str], current: str | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.labels = labels
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="annotate", classes="annotate-box"):
            title = Text("Label ", "bold").append_text(one_line(self.case_id, 40))
            if self.current:
                title.append("  now: ").append_text(one_line(self.current, 30))
            yield Static(title)
            yield OptionList(*(Option(one_line(label, 60), id=label) for label in self.labels), id="labels")
            yield Input(placeholder="or type a new label, then enter", id="new-label", max_length=64)
        yield KeysFooter()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if self.current in self.labels:
            options.highlighted = self.labels.index(self.current)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Input.Submitted, "#new-label")
    def _typed(self, event: Input.Submitted) -> None:
        label = event.value.strip()
        if not label:
            self.notify("Type a label, or pick one above.", severity="warning", markup=False)
            return
        self.dismiss(label)

    def action_leave(self) -> None:
        self.dismiss(None)


class NoteScreen(ModalScreen[str | None]):
    """Dismisses with the note written; None when left with escape or left empty."""

    CSS_PATH = "annotate.tcss"
    BINDINGS = [
        Binding("ctrl+s", "keep", "Save note", tooltip="Keep the note on this case", id="note.save"),
        Binding("escape", "leave", "Cancel", tooltip="Close without keeping the note", id="note.cancel"),
    ]

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id

    def compose(self) -> ComposeResult:
        with Vertical(id="annotate", classes="annotate-box"):
            yield Static(Text("Note on ", "bold").append_text(one_line(self.case_id, 40)))
            yield TextArea(id="note", soft_wrap=True, show_line_numbers=False)
            yield Static("ctrl+s keeps it · escape drops it", classes="annotate-hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_keep(self) -> None:
        text = self.query_one(TextArea).text
        self.dismiss(text if text.strip() else None)

    def action_leave(self) -> None:
        self.dismiss(None)


class Annotates:
    """What the Case and Compare screens share: ask for a label or a note on a run's case, write
    it in a worker, then call `annotated(run_id, case_id)` (the screen shows it)."""

    def ask_label(self, run_id: str, case_id: str, suite: str | None, current: str | None) -> None:
        screen: Any = self
        labels = label_choices(suite_labels(screen.app, suite), DEFAULT_LABELS)

        def chosen(label: str | None) -> None:
            if label:
                self._write(run_id, case_id, label=label)

        screen.app.push_screen(LabelScreen(case_id, labels, current), chosen)

    def ask_note(self, run_id: str, case_id: str) -> None:
        screen: Any = self

        def written(note: str | None) -> None:
            if note:
                self._write(run_id, case_id, note=note)

        screen.app.push_screen(NoteScreen(case_id), written)

    def _write(self, run_id: str, case_id: str, *, label: str = "", note: str = "") -> None:
        screen: Any = self

        def write() -> None:
            try:
                screen.app.store.annotate(run_id, case_id, label=label, note=note)
            except ValueError as exc:
                screen.app.call_from_thread(screen.notify, str(exc), severity="error", markup=False)
                return
            screen.app.call_from_thread(self.annotated, run_id, case_id)

        screen.run_worker(
            write, thread=True, exit_on_error=False, group="annotate", name="Saving the annotation"
        )

    def annotated(self, run_id: str, case_id: str) -> None:
        """Called on the event loop once the annotation is stored."""


def suite_labels(app: Any, suite: str | None) -> list[str]:
    """The `labels:` of the suite of that name, as the home screen last loaded it."""
    for entry in getattr(app, "suites", ()):
        if entry.suite is not None and entry.suite.name == suite:
            return list(entry.suite.labels)
    return []
