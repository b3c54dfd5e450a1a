"""Case: everything about one result (the messages the model saw, expected, output, each
scorer's verdict and reason, the numbers, any error, and an inline diff of output against
expected), with `n`/`p` (or `j`/`k`) to step through the run's failing cases in place.
`l` labels the case and `N` adds a note (kept with the run); a label the same case got in an
earlier run of the suite shows in the header as a hint. `a` on a failing case writes its output
as the case's expected value into the suite's source, after showing the change and asking. A case
that called tools shows its trajectory (each agent step's text, tool calls and results); `]`/`[`
step through it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

import evaltui.format as fmt
from evaltui.analysis.diff import Segment, unified_word_diff
from evaltui.engine.rerun import accept_edit, accepted
from evaltui.records import Result, RunRecord, ScoreRecord
from evaltui.store import Store
from evaltui.store.annotations import Annotation
from evaltui.suites.edit import Edit
from evaltui.tui.host import host
from evaltui.tui.screens.accept import AcceptScreen
from evaltui.tui.screens.annotate import Annotates
from evaltui.tui.widgets.diff_view import inline_text
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.safe_text import as_plain, one_line, safe_text
from evaltui.tui.widgets.tones import colourless, status_tone, tone
from evaltui.tui.widgets.trajectory import Trajectory
from evaltui.tui.worker_errors import ReportsWorkerErrors

DIFF_LIMIT = 20_000  # characters of each side given to the word diff
FAILING = ("fail", "error")


@dataclass(frozen=True, slots=True)
class CaseView:
    result: Result
    diff: list[Segment] | None  # None when there is nothing to compare against
    diff_cut: bool
    place: tuple[int, int] | None = None  # (this failure's number, failures in the run)
    notes: tuple[Annotation, ...] = ()  # this case's labels and notes in this run, oldest first
    hint: Annotation | None = None  # the latest label of this case in an earlier run of the suite

    @property
    def label(self) -> str | None:
        return next((a.label for a in reversed(self.notes) if a.label), None)


def failure_place(failures: list[tuple[str, int]], case_id: str, epoch: int) -> tuple[int, int] | None:
    """ "failure 3 of 17": where a failing case sits among the run's failures, in case order."""
    try:
        return failures.index((case_id, epoch)) + 1, len(failures)
    except ValueError:
        return None


def build_view(result: Result) -> CaseView:
    """Runs in a worker: the diff of two long texts is real work."""
    expected = result.expected
    if expected is None or result.status == "error":
        return CaseView(result, None, False)
    a, b = as_plain(expected), as_plain(result.output)
    cut = len(a) > DIFF_LIMIT or len(b) > DIFF_LIMIT
    return CaseView(result, unified_word_diff(a[:DIFF_LIMIT], b[:DIFF_LIMIT]), cut)


class CaseScreen(Annotates, ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "case.tcss"
    BINDINGS = [
        Binding(
            "n",
            "step(1)",
            "Next failure",
            tooltip="The next failing or erroring case of this run",
            id="case.next",
        ),
        Binding(
            "p", "step(-1)", "Prev failure", tooltip="The previous failing or erroring case", id="case.prev"
        ),
        Binding(
            "l", "label", "Label", tooltip="Label this case (model-wrong, expected-wrong, …)", id="case.label"
        ),
        Binding("N", "note", "Note", tooltip="Add a note on this case, kept with the run", id="case.note"),
        Binding(
            "a",
            "accept",
            "Accept",
            tooltip="Write this output as the case's expected value in the suite (shows the change first)",
            id="case.accept",
        ),
        Binding(
            "right_square_bracket",
            "trajectory(1)",
            "Next step",
            tooltip="The next step of this case's trajectory (its tool calls and results)",
            id="case.next_step",
        ),
        Binding(
            "left_square_bracket",
            "trajectory(-1)",
            "Prev step",
            tooltip="The previous step of this case's trajectory",
            id="case.prev_step",
        ),
        Binding("j", "step(1)", "Next failure", show=False, tooltip="Same as n", id="case.next_j"),
        Binding("k", "step(-1)", "Prev failure", show=False, tooltip="Same as p", id="case.prev_k"),
    ]

    def __init__(self, run_id: str, case_id: str, epoch: int = 0) -> None:
        super().__init__()
        self.run_id = run_id
        self.case_id = case_id
        self.epoch = epoch
        self._failures: list[tuple[str, int]] = []  # the run's failing results, read in the worker
        self.shown: CaseView | None = None
        self.suite: str | None = None  # the run's suite name, read with the first case

    def compose(self) -> ComposeResult:
        yield Static(id="case-header")
        with VerticalScroll(id="case-body"):
            for name, title in (
                ("error", "Error"),
                ("input", "Input (messages the model saw)"),
                ("expected", "Expected"),
                ("output", "Output"),
                ("scores", "Scores"),
                ("diff", "Diff: output against expected"),
                ("notes", "Labels and notes"),
            ):
                section = Static(id=name, classes="section")
                section.border_title = title
                yield section
                if name == "output":
                    trajectory = Trajectory(id="trajectory", classes="section")
                    trajectory.border_title = "Trajectory"
                    yield trajectory
        yield KeysFooter()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._load(self.case_id, self.epoch, 0)

    def _theme_changed(self, _theme: object) -> None:
        """The diff's marks depend on the theme (a 16-colour one gets `[-…-]{+…+}`)."""
        if self.shown is not None and self.shown.diff is not None:
            self.query_one("#diff", Static).update(self._diff(self.shown.diff, self.shown.diff_cut))

    @work(thread=True, exclusive=True, exit_on_error=False, group="case", name="Reading the case")
    def _load(self, case_id: str, epoch: int, step: int) -> None:
        store = host(self).store
        if step:
            found = store.neighbour(self.run_id, case_id, epoch, statuses=FAILING, step=step)
            if found is None:
                where = "after" if step > 0 else "before"
                self.app.call_from_thread(self.notify, f"No failing case {where} this one.", markup=False)
                return
            case_id, epoch = found.case_id, found.epoch
        result = store.get_result(self.run_id, case_id, epoch)
        if result is None:
            message = f"No result for case {case_id!r} in run {self.run_id}."
            self.app.call_from_thread(self.notify, message, severity="error", markup=False)
            return
        view = build_view(result)
        if result.status in FAILING:
            view = CaseView(view.result, view.diff, view.diff_cut, self._place(store, case_id, epoch))
        if self.suite is None:
            self.suite = (store.get_run(self.run_id) or RunRecord(self.run_id)).suite
        notes = tuple(store.annotations(self.run_id, case_id))
        hint = store.earlier_labels(self.run_id, [case_id]).get(case_id)
        view = CaseView(view.result, view.diff, view.diff_cut, view.place, notes, hint)
        self.app.call_from_thread(self._show, view)

    def _place(self, store: Store, case_id: str, epoch: int) -> tuple[int, int] | None:
        """Runs in the worker. The failures are listed once (again only if a live run added some)."""
        if (case_id, epoch) not in self._failures:
            rows = store.iter_results(self.run_id, columns=("case_id", "epoch", "status"))
            self._failures = [(r.case_id, r.epoch) for r in rows if r.status in FAILING]
        return failure_place(self._failures, case_id, epoch)

    def action_step(self, step: int) -> None:
        self._load(self.case_id, self.epoch, step)

    def action_trajectory(self, step: int) -> None:
        trajectory = self.query_one(Trajectory)
        if not trajectory.step_to(trajectory.current + step):
            where = "after" if step > 0 else "before"
            message = f"No step {where} this one." if trajectory.count else "This case made no tool calls."
            self.notify(message, markup=False)

    def action_label(self) -> None:
        current = self.shown.label if self.shown else None
        self.ask_label(self.run_id, self.case_id, self.suite, current)

    def action_note(self) -> None:
        self.ask_note(self.run_id, self.case_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Accept shows only on a failing case (an errored one has no output to accept); Next and
        Prev step only on a case with a trajectory of more than one step."""
        if action == "accept":
            return self.shown is not None and self.shown.result.status == "fail"
        if action == "trajectory":
            return self.shown is not None and self.query_one(Trajectory).count > 1
        return True

    def action_accept(self) -> None:
        if self.check_action("accept", ()):
            self._plan_accept(self.case_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="accept", name="Preparing the edit")
    def _plan_accept(self, case_id: str) -> None:
        edit = accept_edit(host(self).store, self.run_id, case_id, self.epoch)

        def answered(write: bool | None) -> None:
            if write:
                self._write_accept(case_id, edit)

        self.app.call_from_thread(self.app.push_screen, AcceptScreen(case_id, edit), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="accept", name="Writing the suite")
    def _write_accept(self, case_id: str, edit: Edit) -> None:
        edit.write()
        accepted(host(self).store, self.run_id, case_id, edit)
        self.app.call_from_thread(
            self.notify, f"Written into {edit.where}; the next run scores against it.", markup=False
        )
        self.app.call_from_thread(self.annotated, self.run_id, case_id)

    def annotated(self, run_id: str, case_id: str) -> None:
        if run_id == self.run_id and case_id == self.case_id:
            self._load(self.case_id, self.epoch, 0)

    def _show(self, view: CaseView) -> None:
        self.shown = view
        result = view.result
        self.case_id, self.epoch = result.case_id, result.epoch
        self.query_one("#case-header", Static).update(self._header(view))
        error = self.query_one("#error", Static)
        error.display = bool(result.error)
        error.update(safe_text(result.error or "", style=tone(self.app, "error")))
        self.query_one("#input", Static).update(messages_text(result))
        self.query_one("#expected", Static).update(
            safe_text(result.expected) if result.expected is not None else Text("(none)", "dim")
        )
        self.query_one("#output", Static).update(safe_text(result.output or ""))
        trajectory = self.query_one(Trajectory)
        trajectory.show(result.column("steps"), result.column("tool_calls"))
        trajectory.display = trajectory.count > 0
        self.refresh_bindings()  # Accept depends on the case's status, Next/Prev step on its steps
        self.query_one("#scores", Static).update(self._scores(result.scores))
        diff = self.query_one("#diff", Static)
        diff.display = view.diff is not None
        if view.diff is not None:
            diff.update(self._diff(view.diff, view.diff_cut))
        notes = self.query_one("#notes", Static)
        notes.display = bool(view.notes)
        notes.update(notes_text(view.notes, tone(self.app, "text-muted")))
        self.query_one("#case-body").scroll_home(animate=False)

    def _header(self, view: CaseView) -> Text:
        result, place = view.result, view.place
        status = result.status
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{status.upper()} ", status_tone(self.app, status, bold=True))
        text.append_text(one_line(self.case_id + (f"#{self.epoch}" if self.epoch else ""), 50, style="bold"))
        if place is not None:
            text.append(f"  failure {place[0]:,} of {place[1]:,}", tone(self.app, "warning", bold=True))
        text.append(f"  run {self.run_id}", tone(self.app, "text-muted"))
        if result.tags:
            text.append("  tags ")
            text.append_text(one_line(", ".join(map(str, result.tags)), 40))
        if view.label:
            text.append("  label ", tone(self.app, "accent", bold=True))
            text.append_text(one_line(view.label, 30, style="bold"))
        elif view.hint is not None:
            text.append("  earlier: ", tone(self.app, "accent"))
            text.append_text(one_line(view.hint.label, 30, style="bold"))
            text.append_text(one_line(f" (run {view.hint.run_id}, {view.hint.author or '?'})", 50))
        latency = fmt.ms(result.latency_ms)
        tokens = fmt.tokens(result.tokens_in, result.tokens_out)
        cost = fmt.money(result.cost_usd)
        # a cached answer's figures are those of the run that first asked, which paid for it: said
        # first, so that it shows at any width (this run spent nothing on it)
        if result.cached:
            text.append("\ncached answer", tone(self.app, "warning", bold=True))
            text.append(f" (when first asked: latency {latency}, cost {cost}, tokens {tokens})   ")
        else:
            text.append(f"\nlatency {latency}   tokens {tokens}   cost {cost}   ")
        text.append(f"attempts {result.attempts or 1}")
        return text

    def _scores(self, scores: tuple[ScoreRecord, ...]) -> Text:
        if not scores:
            return Text("(not scored)", "dim")
        text = Text()
        for index, score in enumerate(scores):
            passed = score.passed
            text.append("\n" if index else "")
            text.append(
                "✓ " if passed else "✗ ", status_tone(self.app, "pass" if passed else "fail", bold=True)
            )
            text.append_text(one_line(score.name, 40, style="bold"))
            text.append(f"  {score.value:.2f}  ")
            text.append_text(safe_text(score.reason, limit=4000))
        return text

    def _diff(self, segments: list[Segment], cut: bool) -> Text:
        """Inline, expected against output; git's `[-…-]{+…+}` marks too when colour is off."""
        marks = colourless(self.app)
        text = inline_text(self.app, segments)
        legend = (
            "[-…-] expected but missing · {+…+} in the output only"
            if marks
            else "struck: expected but missing · underlined: in the output only"
        )
        text.append("\n" + legend, "dim italic")
        if cut:
            text.append(
                f"\n(only the first {DIFF_LIMIT:,} characters of each side are compared)", "dim italic"
            )
        return text


def notes_text(notes: tuple[Annotation, ...], muted: Style) -> Text:
    """Each label and note, newest first, with who and when."""
    text = Text()
    for index, note in enumerate(reversed(notes)):
        text.append("\n" if index else "")
        text.append_text(one_line(note.label or "note", 30, style="bold"))
        text.append_text(one_line(f"  {note.author or '?'} · {note.created_at[:16]}", 60, style=muted))
        if note.note:
            text.append("\n")
            text.append_text(safe_text(note.note, limit=4000))
    return text


def messages_text(result: Result) -> Text:
    """The rendered prompt, message by message; the raw input when no prompt was stored."""
    if not result.prompt:
        return safe_text(result.input)
    text = Text()
    for index, message in enumerate(result.prompt):
        role = str(message.get("role", "?")) if isinstance(message, Mapping) else "?"
        content = message.get("content", "") if isinstance(message, Mapping) else message
        text.append("\n\n" if index else "")
        text.append_text(one_line(role, 20, style="bold underline"))
        text.append("\n")
        text.append_text(safe_text(content))
    return text
