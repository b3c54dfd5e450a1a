"""Diff: one case as two runs answered it. Input and expected at the top, the two outputs side by
side at word level (`u` for the inline view), both runs' verdicts and reasons below, and `n`/`p`
to walk through a list of cases (the regressions of a comparison) in place."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from evaltui.records import Result
from evaltui.reports.case_diff import case_answers
from evaltui.store import Store
from evaltui.tui.host import host
from evaltui.tui.widgets.diff_view import DiffLines, DiffView, build_diff
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.safe_text import one_line, safe_text
from evaltui.tui.widgets.tones import status_tone, tone
from evaltui.tui.worker_errors import ReportsWorkerErrors

REASON_LIMIT = 2_000  # characters of one scorer's reason shown


@dataclass(frozen=True, slots=True)
class CaseDiff:
    case_id: str
    result_a: Result | None
    result_b: Result | None
    lines: DiffLines


def load_case_diff(store: Store, run_a: str, run_b: str, case_id: str) -> CaseDiff:
    """Both results and the diff of their outputs (epoch 0). Blocking: call from a worker."""
    found = case_answers(store, run_a, run_b, case_id)
    return CaseDiff(case_id, found.result_a, found.result_b, build_diff(found.text_a, found.text_b))


class DiffScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "diff.tcss"
    BINDINGS = [
        Binding(
            "u", "toggle_unified", "Inline/side", tooltip="Side by side or one inline diff", id="diff.unified"
        ),
        Binding(
            "n", "step(1)", "Next", tooltip="The next case of the list (regressions first)", id="diff.next"
        ),
        Binding("p", "step(-1)", "Prev", tooltip="The previous case of the list", id="diff.prev"),
    ]

    def __init__(
        self,
        run_a: str,
        run_b: str,
        case_id: str,
        *,
        walk: list[str] | None = None,
        walk_name: str = "cases",
        names: tuple[str, str] = ("A", "B"),
    ) -> None:
        super().__init__()
        self.run_a, self.run_b = run_a, run_b
        self.case_id = case_id
        self.walk = walk or []
        self.walk_name = walk_name
        self.names = names
        self.shown: CaseDiff | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="diff-header")
        yield Static(id="diff-titles")
        yield DiffView(id="diff-view")
        with VerticalScroll(id="diff-verdicts"):
            yield Static(id="verdicts")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(DiffView).focus()
        self._load(self.case_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="diff", name="Diffing the outputs")
    def _load(self, case_id: str) -> None:
        found = load_case_diff(host(self).store, self.run_a, self.run_b, case_id)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: CaseDiff) -> None:
        self.shown = found
        self.case_id = found.case_id
        self.query_one("#diff-header", Static).update(self._header(found))
        self._show_titles()
        self.query_one(DiffView).show(found.lines)
        self.query_one("#verdicts", Static).update(self._verdicts(found))

    # -- pieces ----------------------------------------------------------------------------
    def _header(self, found: CaseDiff) -> Text:
        case = found.result_a or found.result_b or Result("", found.case_id)
        muted = tone(self.app, "text-muted")
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append_text(one_line(found.case_id, 40, style=tone(self.app, "primary", bold=True)))
        if found.case_id in self.walk:
            where = self.walk.index(found.case_id) + 1
            text.append(f"  {where} of {len(self.walk)} {self.walk_name} · n/p to walk", muted)
        if not found.lines.changed:
            text.append("  same output", muted)
        text.append("\ninput    ", muted)
        text.append_text(one_line(case.input, 200))
        text.append("\nexpected ", muted)
        expected = case.expected
        text.append_text(one_line(expected, 200) if expected is not None else Text("(none)", muted))
        if found.lines.note:
            text.append("\n" + found.lines.note, tone(self.app, "warning"))
        return text

    def _show_titles(self) -> None:
        found = self.shown
        if found is None:
            return
        view = self.query_one(DiffView)
        text = Text(no_wrap=True, overflow="ellipsis")
        halves = list(zip(self.names, (found.result_a, found.result_b), strict=True))
        column = max((view.scrollable_content_region.width - 3) // 2, 4)
        for index, (name, result) in enumerate(halves):
            part = self._title(name, result)
            if not view.unified:
                part.truncate(column, pad=index == 0)
            text.append_text(part)
            text.append(" │ " if not view.unified and index == 0 else ("  →  " if index == 0 else ""))
        self.query_one("#diff-titles", Static).update(text)

    def _title(self, name: str, result: Result | None) -> Text:
        text = Text(no_wrap=True, end="")
        text.append_text(one_line(name, 30, style="bold"))
        if result is None:
            return text.append(" · no result", tone(self.app, "text-muted"))
        status = result.status
        return text.append(f" · {status.upper()}", status_tone(self.app, status, bold=True))

    def _verdicts(self, found: CaseDiff) -> Text:
        text = Text()
        for index, (name, result) in enumerate(
            zip(self.names, (found.result_a, found.result_b), strict=True)
        ):
            text.append("\n" if index else "")
            text.append_text(one_line(name, 30, style="bold"))
            if result is None:
                text.append("  no result for this case", tone(self.app, "text-muted"))
                continue
            if result.error:
                text.append("  error: ", status_tone(self.app, "error", bold=True))
                text.append_text(safe_text(result.error, limit=REASON_LIMIT))
            for score in result.scores:
                text.append(
                    "\n  ✓ " if score.passed else "\n  ✗ ",
                    status_tone(self.app, "pass" if score.passed else "fail"),
                )
                text.append_text(one_line(score.name, 30, style="bold"))
                text.append(f"  {score.value:.2f}  ")
                text.append_text(safe_text(score.reason, limit=REASON_LIMIT))
        return text

    # -- actions ---------------------------------------------------------------------------
    def action_toggle_unified(self) -> None:
        view = self.query_one(DiffView)
        view.unified = not view.unified
        self._show_titles()

    def action_step(self, step: int) -> None:
        if not self.walk:
            self.notify("Nothing to walk through from here.", markup=False)
            return
        index = self.walk.index(self.case_id) + step if self.case_id in self.walk else (0 if step > 0 else -1)
        if not 0 <= index < len(self.walk):
            edge = "last" if step > 0 else "first"
            self.notify(f"This is the {edge} of the {len(self.walk)} {self.walk_name}.", markup=False)
            return
        self._load(self.walk[index])

    def on_resize(self) -> None:
        self._show_titles()
