"""Compare: is run B better than run A, on which cases, and is that real?

The numbers are `reports.comparison.compare_runs` (the same ones `evaltui compare` prints), worded
by `reports.summary.summary_lines`. The case table pages through lists of case ids (regressions
first), fetching one page of both runs' results at a time, so two 100,000-case runs cost one
streaming pass for the numbers and one small query per page shown. A row's verdicts are the
comparison's own (over every epoch of the case), so they agree with the lists it sits in and
with `evaltui compare`. `enter` opens the diff;
`n`/`p` there walk the list on screen. `l` labels and `N` notes the highlighted case in run B (the
run under review)."""

from __future__ import annotations

from functools import partial

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from evaltui.analysis.diff import Segment
from evaltui.records import RunRecord
from evaltui.reports.case_lists import CaseLists, CaseRow, case_page, changed_and_all
from evaltui.reports.comparison import Comparison, compare_runs
from evaltui.reports.prompts import prompt_change
from evaltui.reports.summary import summary_lines
from evaltui.tui.host import host
from evaltui.tui.screens.annotate import Annotates
from evaltui.tui.screens.diff import DiffScreen
from evaltui.tui.widgets.diff_view import inline_text
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.paged_table import STATUS_ICONS, PagedTable
from evaltui.tui.widgets.safe_text import one_line
from evaltui.tui.widgets.tones import tone
from evaltui.tui.worker_errors import ReportsWorkerErrors

FILTERS = ("regressions", "improvements", "changed", "all")
COUNTS_MIN_WIDTH = 60  # narrower, a table of runs with epochs shows the verdicts only
KIND_MARKS = {
    "regressions": "▼",
    "improvements": "▲",
    "changed": "~",
    "same": " ",
    "only A": "A",
    "only B": "B",
}


class CompareTable(PagedTable[CaseRow]):
    """The compared cases: how each run judged it, its id, and both outputs' starts. For runs with
    epochs each verdict is followed, when the width allows, by its passed/scored epochs ("2/3")."""

    epochs = 1  # the most epochs either run asked a case; set by the screen

    def _layout(self, width: int) -> tuple[int, int, int, int]:
        """Widths of: one run's epoch count (0: not shown), both verdicts, the id, each preview."""
        id_width = 22 if width >= 100 else 14
        count = len(f"{self.epochs}/{self.epochs}") if self.epochs > 1 and width >= COUNTS_MIN_WIDTH else 0
        verdicts = 2 * (1 + count) + 1 if count else 2  # "✓2/3 ✗1/3" or "✓✗"
        preview = max((width - 4 - verdicts - id_width - 4) // 2, 4)
        return count, verdicts, id_width, preview

    def _cells(self, row: CaseRow | None, width: int, muted: Style) -> Text:
        line = Text(no_wrap=True, end="")
        if row is None:
            return line.append("  …", muted)
        count, verdicts, id_width, preview = self._layout(width)
        line.append(KIND_MARKS.get(row.kind, " ") + " ", muted)
        for index, (status, side) in enumerate(((row.status_a, row.side_a), (row.status_b, row.side_b))):
            line.append(" " if index and count else "")
            line.append(STATUS_ICONS.get(status, "·") if status else "·", self._status_style(status or ""))
            if count:
                line.append(f"{side.passed}/{side.scored}".ljust(count) if side else " " * count, muted)
        line.append(" ")
        line.append_text(one_line(row.case_id, id_width))
        line.truncate(4 + verdicts + id_width, pad=True)
        for index, text in enumerate((row.preview_a, row.preview_b)):
            line.append(" │ " if index else " ", muted if index else "")
            cell = one_line(text, preview)
            cell.truncate(preview, pad=True)
            line.append_text(cell)
        return line

    def _header(self, width: int) -> Text:
        count, _, id_width, preview = self._layout(width)
        runs = f"{'A'.ljust(1 + count)} {'B'.ljust(1 + count)}" if count else "AB"
        line = Text(f"  {runs} " + "case".ljust(id_width + 1), no_wrap=True, end="")
        line.append(" " + "output A".ljust(preview) + " │ output B")
        return line


class CompareScreen(Annotates, ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "compare.tcss"
    BINDINGS = [
        Binding(
            "r",
            "show('regressions')",
            "Regressions",
            tooltip="Cases that passed in A and fail in B",
            id="compare.regressions",
        ),
        Binding(
            "i",
            "show('improvements')",
            "Improvements",
            tooltip="Cases that failed in A and pass in B",
            id="compare.improvements",
        ),
        Binding(
            "c", "show('changed')", "Changed", tooltip="Same verdict, different output", id="compare.changed"
        ),
        Binding("a", "show('all')", "All", tooltip="Every case of either run", id="compare.all"),
        Binding("s", "swap", "Swap", tooltip="Swap A and B", id="compare.swap"),
        Binding("l", "label", "Label", tooltip="Label the highlighted case in run B", id="compare.label"),
        Binding(
            "N", "note", "Note", tooltip="Add a note on the highlighted case in run B", id="compare.note"
        ),
    ]

    def __init__(self, run_a: str, run_b: str) -> None:
        super().__init__()
        self.run_a, self.run_b = run_a, run_b
        self.comparison: Comparison | None = None
        self.lists = CaseLists()
        self.filter = "regressions"
        self.suite: str | None = None  # run B's suite name (its labels are offered)

    def compose(self) -> ComposeResult:
        yield Static(id="compare-runs")
        prompt = Static(id="compare-prompt")
        prompt.border_title = "Prompt: A → B"
        prompt.display = False
        yield prompt
        yield Static("Comparing…", id="compare-summary")
        yield Static(id="compare-filters")
        yield CompareTable(id="compare-cases")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(CompareTable).focus()
        self._compare()

    @property
    def table(self) -> CompareTable:
        return self.query_one(CompareTable)

    # -- loading ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="compare", name="Comparing the runs")
    def _compare(self) -> None:
        store = host(self).store
        runs = [
            store.get_run(self.run_a) or RunRecord(self.run_a),
            store.get_run(self.run_b) or RunRecord(self.run_b),
        ]
        self.app.call_from_thread(self._show_runs, runs)
        change = prompt_change(store, runs[0], runs[1])
        if change is not None:
            self.app.call_from_thread(self._show_prompt_change, change)
        comparison = compare_runs(store, self.run_a, self.run_b)
        self.app.call_from_thread(self._compared, comparison)

    def _show_runs(self, runs: list[RunRecord]) -> None:
        self.suite = runs[1].suite
        text = Text(no_wrap=True, overflow="ellipsis")
        muted = tone(self.app, "text-muted")
        for index, (tag, run) in enumerate(zip("AB", runs, strict=True)):
            text.append("\n" if index else "")
            text.append(f"{tag} ", tone(self.app, "primary", bold=True))
            text.append_text(one_line(run.suite, 28, style="bold"))
            text.append(" · ")
            text.append_text(one_line(run.model_id, 28))
            if run.label:
                text.append(" · ")
                text.append_text(one_line(run.label, 20))
            text.append(" · ")
            text.append_text(one_line(run.id, 24, style=muted))
        self.query_one("#compare-runs", Static).update(text)

    def _show_prompt_change(self, change: list[Segment]) -> None:
        """What changed between the runs' prompts (word by word), above what it did to the cases."""
        widget = self.query_one("#compare-prompt", Static)
        widget.update(inline_text(self.app, change, limit=4000))
        widget.display = True

    def _compared(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.lists = CaseLists.from_comparison(comparison)
        self.table.epochs = comparison.epochs
        self.query_one("#compare-summary", Static).update(self._summary(comparison))
        first = next((name for name in ("regressions", "improvements") if getattr(comparison, name)), "all")
        self.action_show(first)

    def _summary(self, c: Comparison) -> Text:
        text = Text()
        for index, line in enumerate(summary_lines(c)):
            plain = line.plain
            text.append("\n" if index else "")
            if plain.startswith("left out"):
                text.append(plain, tone(self.app, "warning"))
            elif plain.startswith("paired"):
                head, _, _ = plain.partition(c.verdict)
                text.append(head, "bold")
                worse, better = "B is worse" in c.verdict, "B is better" in c.verdict
                name = "error" if worse else "success" if better else "text-muted"
                text.append(c.verdict, tone(self.app, name, bold=worse or better))
            else:
                text.append(plain)
        return text

    @work(thread=True, exclusive=True, exit_on_error=False, group="lists", name="Listing the cases")
    def _list_cases(self, wanted: str) -> None:
        one_epoch = self.comparison is not None and self.comparison.epochs == 1
        store = host(self).store
        changed, every = changed_and_all(store, self.run_a, self.run_b, one_epoch=one_epoch)
        self.app.call_from_thread(self._listed, wanted, changed, every)

    def _listed(self, wanted: str, changed: list[str], every: list[str]) -> None:
        self.lists.lists.update({"changed": changed, "all": every})
        self.lists.changed = frozenset(changed)
        if self.filter == wanted:
            self._reload()

    # -- the case table --------------------------------------------------------------------
    def action_show(self, name: str) -> None:
        self.filter = name
        self._show_filters()
        if self.comparison is None:
            return
        if name not in self.lists.lists:
            self.table.reset(0)
            self._list_cases(name)
            return
        self._reload()

    def _reload(self) -> None:
        ids = self.lists.lists[self.filter]
        self.table.loader = partial(self._read_page, ids, self.lists)
        self.table.reset(len(ids))
        self.table.refresh()

    def _show_filters(self) -> None:
        counts = self.comparison.counts if self.comparison else None
        numbers = {
            "regressions": counts.regressions if counts else None,
            "improvements": counts.improvements if counts else None,
            "changed": counts.changed_output if counts else None,
            "all": counts.shared + counts.only_a + counts.only_b if counts else None,
        }
        text = Text(no_wrap=True, overflow="ellipsis")
        for name in FILTERS:
            label = f" {name} {numbers[name] if numbers[name] is not None else '…'} "
            text.append(label, "reverse bold" if name == self.filter else "dim")
        self.query_one("#compare-filters", Static).update(text)

    def _read_page(self, ids: list[str], lists: CaseLists, offset: int, limit: int) -> list[CaseRow]:
        """The table's page loader (called in its worker): a page of the list on show."""
        return case_page(host(self).store, self.run_a, self.run_b, ids[offset : offset + limit], lists)

    @on(PagedTable.CaseChosen)
    def _open_diff(self, event: PagedTable.CaseChosen) -> None:
        walk = self.lists.lists.get(self.filter, [])
        screen = DiffScreen(self.run_a, self.run_b, event.case_id, walk=walk, walk_name=self.filter)
        self.app.push_screen(screen)

    def _highlighted_in_b(self) -> str | None:
        row = self.table.highlighted
        if row is None or row.status_b is None:
            self.notify("Highlight a case that run B has to annotate it.", severity="warning", markup=False)
            return None
        return row.case_id

    def action_label(self) -> None:
        case_id = self._highlighted_in_b()
        if case_id is not None:
            self.ask_label(self.run_b, case_id, self.suite, None)

    def action_note(self) -> None:
        case_id = self._highlighted_in_b()
        if case_id is not None:
            self.ask_note(self.run_b, case_id)

    def annotated(self, run_id: str, case_id: str) -> None:
        self.notify(f"Annotated {case_id} in run B ({run_id}).", markup=False)

    def action_swap(self) -> None:
        self.app.switch_screen(CompareScreen(self.run_b, self.run_a))
