"""Run: one run, live or finished. A header with the figures, a progress line while it runs
(the engine's `Progress` figures, at most 10 times a second, as the app's live runs keep them; for
a run another process is running, from the database as its results land), and the case table,
which pages from the store and filters by status, tag and text."""

from __future__ import annotations

import time
from dataclasses import astuple, dataclass, replace
from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, get_current_worker

from evaltui.engine import LiveStats, RunOptions
from evaltui.engine.rerun import only_failing, rescore
from evaltui.records import ResultPreview, RunMetrics, RunRecord
from evaltui.reports.case_lists import partner_run
from evaltui.reports.metrics import metrics_of
from evaltui.tui.host import host
from evaltui.tui.requests import LaunchRequest
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.progress_line import ProgressLine
from evaltui.tui.widgets.result_table import PAGE_SIZE, ResultTable
from evaltui.tui.widgets.run_header import Figures, RunHeader
from evaltui.tui.widgets.safe_text import one_line
from evaltui.tui.worker_errors import ReportsWorkerErrors

TABLE_EVERY_S = 1.0  # the live case table is read again at most this often
STATUS_FILTERS = {"all": None, "fail": "fail", "error": "error"}


@dataclass(frozen=True, slots=True)
class Filters:
    """Which results the case table shows (`Store.page_results`'s filters); all None: every one."""

    status: str | None = None
    tag: str | None = None
    search: str | None = None
    label: str | None = None

    def any(self) -> bool:
        return any(value is not None for value in astuple(self))


def parse_query(text: str) -> tuple[str | None, str | None, str | None]:
    """Search box text to (tag, label, search): `tag:NAME` picks a tag, `label:NAME` a reviewer's
    label (`label:*` any), the rest is searched."""
    tag, label, words = None, None, []
    for word in text.split():
        if word.startswith("tag:") and len(word) > 4:
            tag = word[4:]
        elif word.startswith("label:") and len(word) > 6:
            label = word[6:]
        else:
            words.append(word)
    return tag, label, " ".join(words) or None


class RunScreen(ReportsWorkerErrors, Screen[None]):
    CSS_PATH = "run.tcss"
    BINDINGS = [
        Binding(
            "slash",
            "search",
            "Search",
            tooltip="Search input, output and expected (tag:NAME for a tag, label:NAME for a label)",
            id="run.search",
        ),
        Binding("a", "status('all')", "All", tooltip="Show every result", id="run.all"),
        Binding("f", "status('fail')", "Failures", tooltip="Show only failed results", id="run.fail"),
        Binding(
            "e",
            "status('error')",
            "Errors",
            tooltip="Show only results the model could not give",
            id="run.error",
        ),
        Binding("t", "tag", "Tag", tooltip="Filter by tag (type tag:NAME)", id="run.tag"),
        Binding(
            "x", "cancel_run", "Cancel run", tooltip="Stop a live run; finished results stay", id="run.cancel"
        ),
        Binding(
            "r",
            "resume",
            "Resume",
            tooltip="Finish a run that ended early: ask the cases it never asked (as it was started)",
            id="run.resume",
        ),
        Binding(
            "E",
            "resume(True)",
            "Retry errors",
            tooltip="Ask this run's errored cases again (and any it never asked)",
            id="run.retry_errors",
        ),
        Binding(
            "escape",
            "escape",
            "Back",
            show=False,
            tooltip="Leave the search box, clear the search, or go back",
            id="run.escape",
        ),
        Binding("F", "rerun_failing", "Rerun failing",
                tooltip="A new run of only the cases that failed or errored here (the suite as it reads now)",
                id="run.rerun_failing"),
        Binding("S", "rescore", "Rescore",
                tooltip="A new run scoring this run's outputs with the suite's scorers now (asks no model)",
                id="run.rescore"),
        Binding("space", "mark", "Mark", show=False,
                tooltip="Mark this run to compare (first A, then B)", id="run.mark"),
        Binding("c", "compare('previous')", "Compare", show=False,
                tooltip="Compare the two marked runs, else with the previous run of this suite and model",
                id="run.compare_previous"),
        Binding("b", "compare('baseline')", "Vs baseline", show=False,
                tooltip="Compare with the latest run labelled baseline", id="run.compare_baseline"),
        Binding("m", "matrix", "Matrix", show=False,
                tooltip="Every model of this launch, case by case", id="run.matrix"),
    ]  # fmt: skip

    def __init__(self, run_id: str) -> None:
        super().__init__()
        self.run_id = run_id
        self.run = RunRecord(run_id)  # read in a worker; until then only its id is known
        self.status_filter = "all"
        self.tag: str | None = None
        self.label: str | None = None  # a reviewer's label (`label:NAME` in the search box)
        self.search: str | None = None
        self._table_read = 0.0  # when the live case table was last read (time.monotonic)
        self._metrics_due = True  # computed once the first rows are on screen (they come first)

    def compose(self) -> ComposeResult:
        yield RunHeader(id="run-header")
        yield ProgressLine(id="progress-row")
        with Horizontal(id="filter-row"):
            yield Static(id="filters")
            yield Input(
                placeholder="/ search input, output, expected · tag:NAME · label:NAME",
                id="search",
                select_on_focus=False,
            )
        yield ResultTable(id="results")
        yield KeysFooter()

    def on_mount(self) -> None:
        host(self).run_changed.subscribe(self, self._run_changed)
        host(self).run_progress.subscribe(self, self._progress)
        self._show_filters()
        self.query_one(ResultTable).focus()
        self._load_run()
        self._reload_table(keep_rows=False)
        self._watch_live()

    def on_screen_suspend(self) -> None:
        self._away = True

    def on_screen_resume(self) -> None:
        """Back from a Case screen: labels given there show in the table."""
        if getattr(self, "_away", False):
            self._away = False
            self._reload_table(keep_rows=True)

    @property
    def table(self) -> ResultTable:
        return self.query_one(ResultTable)

    # -- live ------------------------------------------------------------------------------
    def _watch_live(self) -> None:
        """The progress line shows while the run goes on, here or in another process."""
        live = host(self).live
        here = live.running_here(self.run_id)
        self.query_one(ProgressLine).display = here or live.following(self.run_id)
        stats = live.latest(self.run_id) if here else None
        if stats is not None:
            self._show_live(stats)

    def _progress(self, run_id: str) -> None:
        if run_id != self.run_id:
            return
        live = host(self).live
        if not live.running_here(run_id):
            self._followed_moved()
            return
        stats = live.latest(run_id)
        if stats is not None:
            self._show_live(stats)
        if time.monotonic() - self._table_read >= TABLE_EVERY_S:
            self._reload_table(keep_rows=True)

    def _show_live(self, stats: LiveStats) -> None:
        figures = Figures.from_stats(stats, self.run.epochs)
        self.query_one(RunHeader).show(replace(self.run, status="running"), figures)
        self.query_one(ProgressLine).show_live(stats)

    def _show_followed(self) -> None:
        counts = host(self).live.progress(self.run_id)
        line = self.query_one(ProgressLine)
        line.display = counts is not None
        if counts is not None:
            line.show_followed(*counts, self.run)

    def _followed_moved(self) -> None:
        """More results of a run another process is running (the app looks about once a second):
        its progress, figures and table, read from the database."""
        self._show_followed()
        if not any(w.group == "metrics" and w.is_running for w in self.app.workers if w.node is self):
            self._load_metrics()  # not queued behind one still counting a large run
        self._reload_table(keep_rows=True)

    def _run_changed(self, run_id: str) -> None:
        """The run started (resumed here), appeared or ended (here or in another process)."""
        if run_id != self.run_id:
            return
        self._watch_live()
        if not host(self).live.running_here(run_id):
            self._load_metrics()
        self._load_run()
        self._reload_table(keep_rows=True)

    # -- loading ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="run", name="Loading the run")
    def _load_run(self) -> None:
        run = host(self).store.get_run(self.run_id)
        if run is None:
            self.app.call_from_thread(
                self.notify, f"No run {self.run_id!r} in this database.", severity="error"
            )
            return
        self.app.call_from_thread(self._show_run, run, get_current_worker())

    def _show_run(self, run: RunRecord, read: Worker[None]) -> None:
        if read.is_cancelled:  # a newer read was asked for (thread workers run to their end anyway)
            return
        self.run = run
        self.refresh_bindings()  # Resume and Retry errors depend on the run's status
        self.query_one(RunHeader).show(run, Figures.from_run(run))
        if host(self).live.following(self.run_id):
            self._show_followed()

    def _start_metrics(self) -> None:
        self._metrics_due = False
        if not host(self).live.running_here(self.run_id):
            self._load_metrics()

    @work(thread=True, exclusive=True, exit_on_error=False, group="metrics", name="Computing run metrics")
    def _load_metrics(self) -> None:
        # the same rows as `evaltui show` and the engine: clusters give the same (clustered) interval
        metrics = metrics_of(host(self).store, self.run_id)
        self.app.call_from_thread(self._show_metrics, metrics, get_current_worker())

    def _show_metrics(self, metrics: RunMetrics, read: Worker[None]) -> None:
        if not read.is_cancelled and not host(self).live.running_here(self.run_id):
            self.query_one(RunHeader).show(self.run, Figures.from_metrics(metrics, self.run.total))

    def _filters(self) -> Filters:
        return Filters(STATUS_FILTERS[self.status_filter], self.tag, self.search, self.label)

    def _reload_table(self, *, keep_rows: bool) -> None:
        self._table_read = time.monotonic()
        top = self.table.scroll_offset.y if keep_rows else 0
        self._count(self._filters(), keep_rows, top // PAGE_SIZE * PAGE_SIZE)

    @work(thread=True, exclusive=True, exit_on_error=False, group="count", name="Counting results")
    def _count(self, filters: Filters, keep_rows: bool, offset: int) -> None:
        """The row count and the first visible page in one trip, so the first rows show at once."""
        store = host(self).store
        run = store.get_run(self.run_id) if not filters.any() else None
        if run is not None and run.status != "running":
            total = run.done  # a finished run's counter: no need to count 100,000 rows
        else:
            f = filters
            total = store.count_results(
                self.run_id, status=f.status, tag=f.tag, search=f.search, label=f.label
            )
        rows = self._read_page(filters, offset, PAGE_SIZE)
        self.app.call_from_thread(self._counted, filters, total, keep_rows, offset, rows)

    def _counted(
        self, filters: Filters, total: int, keep_rows: bool, offset: int, rows: list[ResultPreview]
    ) -> None:
        if filters == self._filters():
            self.table.loader = partial(self._read_page, filters)
            self.table.reset(total, keep_rows=keep_rows)
            self.table.add_page(self.table.generation, offset, rows)
            if self._metrics_due:
                self._start_metrics()

    def _read_page(self, filters: Filters, offset: int, limit: int) -> list[ResultPreview]:
        """The table's page loader (called in its worker): a page of results as filtered now."""
        f = filters
        return host(self).store.page_results(
            self.run_id,
            status=f.status,
            tag=f.tag,
            search=f.search,
            label=f.label,
            offset=offset,
            limit=limit,
        )

    # -- filters ---------------------------------------------------------------------------
    def _show_filters(self) -> None:
        text = Text(no_wrap=True)
        for name in STATUS_FILTERS:
            text.append(f" {name} ", "reverse bold" if name == self.status_filter else "dim")
        if self.tag:
            text.append("  tag:")
            text.append_text(one_line(self.tag, 20))
        if self.label:
            text.append("  label:")
            text.append_text(one_line(self.label, 20))
        self.query_one("#filters", Static).update(text)

    def action_status(self, name: str) -> None:
        self.status_filter = name
        self._show_filters()
        self._reload_table(keep_rows=False)

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.focus()
        search.select_all()  # what is typed replaces the last search; arrows keep it to edit

    def action_tag(self) -> None:
        search = self.query_one("#search", Input)
        if "tag:" not in search.value:
            search.value = (search.value + " tag:").lstrip()
        search.focus()
        search.cursor_position = len(search.value)

    @on(Input.Submitted, "#search")
    def _searched(self, event: Input.Submitted) -> None:
        self.tag, self.label, self.search = parse_query(event.value)
        self._show_filters()
        self._reload_table(keep_rows=False)
        self.table.focus()

    def action_escape(self) -> None:
        """Leave the search box; else clear a submitted search; else go back."""
        search = self.query_one("#search", Input)
        if search.has_focus:
            self.table.focus()
        elif self.search or self.tag or self.label:
            search.value = ""
            self.tag = self.search = self.label = None
            self._show_filters()
            self._reload_table(keep_rows=False)
        else:
            host(self).action_go_back(False)

    # -- acting ----------------------------------------------------------------------------
    def resumable(self, retry_errors: bool = False) -> bool:
        """Whether Resume (or Retry errors) can act: the run is not going on, here or in another
        process, and it ended early (or has errored cases)."""
        status = self.run.status
        if status == "running" or host(self).live.running_here(self.run_id):
            return False
        return bool(self.run.errors) if retry_errors else status in ("interrupted", "stopped", "failed")

    def ended(self) -> bool:
        """The run is over (not going on here or in another process)."""
        return self.run.status != "running" and not host(self).live.running_here(self.run_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Cancel, Resume, Retry errors, Rerun failing and Rescore show in the footer only when they
        can act."""
        if action == "cancel_run":
            return host(self).live.running_here(self.run_id)
        if action == "resume":
            return self.resumable(bool(parameters and parameters[0]))
        if action == "rerun_failing":
            return self.ended() and bool(self.run.failed or self.run.errors)
        if action == "rescore":
            return self.ended() and bool(self.run.done)
        return True

    def action_rerun_failing(self) -> None:
        if self.check_action("rerun_failing", ()):
            self._rerun("failing")

    def action_rescore(self) -> None:
        if self.check_action("rescore", ()):
            self._rerun("rescore")

    @work(thread=True, exclusive=True, exit_on_error=False, group="rerun", name="Preparing the new run")
    def _rerun(self, kind: str) -> None:
        """Plan the new run (reads the suite file and the store) and hand it to the app's live runs."""
        config = host(self).config
        base = RunOptions(concurrency=config.concurrency, prices=dict(config.prices))
        plan = (only_failing if kind == "failing" else rescore)(host(self).store, self.run_id, base)
        for note in plan.notes:
            self.app.call_from_thread(self.notify, note, severity="warning", markup=False)
        request = LaunchRequest(plan.suite, [plan.model], plan.options)
        self.app.call_from_thread(host(self).live.launch, request)

    def action_resume(self, retry_errors: bool = False) -> None:
        if not self.resumable(retry_errors):
            return
        host(self).live.resume(self.run_id, retry_errors=retry_errors)
        what = "its errored cases again" if retry_errors else "the cases it never asked"
        self.notify(f"Resuming run {self.run_id}: asking {what}.", markup=False)

    def action_cancel_run(self) -> None:
        if host(self).live.cancel(self.run_id):
            self.notify("Cancelling: cases in flight finish, the rest are not asked.", markup=False)
        else:
            self.notify("This run is not running in this window.", severity="warning", markup=False)

    def action_compare(self, against: str) -> None:
        """Two runs marked with space: compare those; else this run against `against`."""
        marked = host(self).marked
        if against == "previous" and len(marked) == 2:
            host(self).open_compare(*marked)
            return
        self._compare_with(against)

    def action_mark(self) -> None:
        self.notify(host(self).toggle_mark(self.run_id), markup=False)

    @work(
        thread=True, exclusive=True, exit_on_error=False, group="partner", name="Finding the run to compare"
    )
    def _compare_with(self, against: str) -> None:
        other = partner_run(host(self).store, self.run_id, against)
        self.app.call_from_thread(host(self).open_compare, other, self.run_id)

    def action_matrix(self) -> None:
        group = self.run.group_id
        if not group:
            self.notify("This run was launched alone: the matrix needs several models.", markup=False)
            return
        host(self).open_matrix(group)

    @on(ResultTable.CaseChosen)
    def _open_case(self, event: ResultTable.CaseChosen) -> None:
        host(self).open_case(self.run_id, event.case_id, event.epoch)
