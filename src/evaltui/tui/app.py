"""The App: global bindings, themes, the live runs it owns, and the screens it opens.
Behaviour lives in the screens (`tui/screens/`) and widgets (`tui/widgets/`)."""

from __future__ import annotations

import gc
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal
from textual.signal import Signal
from textual.theme import Theme
from textual.widget import Widget
from textual.widgets import Input, Label, SelectionList, Static
from textual.worker import Worker, WorkerState

from evaltui.config import Config, save_user_setting
from evaltui.errors import EvaltuiError
from evaltui.store import Store
from evaltui.suites import SuiteEntry
from evaltui.tui.live import LiveRuns
from evaltui.tui.messages import RunEnded, RunLaunched, RunProgress
from evaltui.tui.palette import (
    CaseCommands,
    CompareCommands,
    ResumeCommands,
    RunCommands,
    SuiteCommands,
)
from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.compare import CompareScreen
from evaltui.tui.screens.help import HelpScreen, unknown_binding_ids
from evaltui.tui.screens.matrix import MatrixScreen
from evaltui.tui.screens.quit import QuitScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.runs import RunsScreen
from evaltui.tui.screens.suites import SuitesScreen
from evaltui.tui.themes import DEFAULT_THEME, load_themes
from evaltui.tui.widgets.result_table import ResultTable
from evaltui.tui.widgets.run_header import RunHeader
from evaltui.tui.widgets.trajectory import Trajectory

SCREEN_CSS: list[str | PurePath] = sorted(
    str(path.relative_to(Path(__file__).parent))
    for path in (Path(__file__).parent / "screens").glob("*.tcss")
)


class EvaltuiApp(App[None]):
    TITLE = "evaltui"
    # Every screen's stylesheet, read once at start-up. A screen's CSS_PATH is otherwise read when the
    # screen first opens, and the whole stylesheet is re-parsed and re-applied then, a stall of the
    # event loop in the middle of a live run for the Run screen (bench/tui.py measures it). Screen
    # CSS_PATH rules are global either way (Textual scopes only a screen's inline CSS).
    CSS_PATH = SCREEN_CSS
    # Notifications in a corner and brief: two rows (title, message) instead of five, three seconds
    # instead of five, so that at 80x24 they do not hide the table being read. Errors say how long.
    CSS = "Toast { padding: 0 1; margin-top: 0; }"
    NOTIFICATION_TIMEOUT = 3
    COMMANDS = App.COMMANDS | {SuiteCommands, RunCommands, CaseCommands, CompareCommands, ResumeCommands}
    BINDINGS = [
        Binding(
            "question_mark", "help", "Help", tooltip="Every key binding, screen by screen", id="app.help"
        ),
        Binding(
            "q",
            "go_back",
            "Back",
            tooltip="Back to the previous screen (quits on the home screen)",
            id="app.back",
        ),
        Binding(
            "escape",
            "go_back(False)",
            "Back",
            show=False,
            tooltip="Back to the previous screen",
            id="app.escape",
        ),
        Binding("R", "runs", "All runs", tooltip="Every run, newest first, with filters", id="app.runs"),
        Binding(
            "ctrl+t", "change_theme", "Theme", tooltip="Pick a colour theme (remembered)", id="app.theme"
        ),
        # Textual's own quit key, declared again so that Help lists it and a keymap can move it
        # (a terminal may keep ctrl+q for itself); its action asks first (action_quit).
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            show=False,
            priority=True,
            tooltip="Quit evaltui from any screen (asks first while a run of this window is live)",
            id="app.quit",
        ),
    ]

    def __init__(self, config: Config, store: Store, suite_dirs: list[Path]) -> None:
        super().__init__()
        self.config = config
        self.store = store
        self.suite_dirs = suite_dirs
        self.live = LiveRuns(self)
        self.suites: list[SuiteEntry] = []  # as last loaded by the home screen
        self.marked: list[str] = []  # runs marked with space (Runs or Run screen), A first; at most two
        self.run_changed: Signal[str] = Signal(self, "run-changed")  # a run started or ended
        self.run_progress: Signal[str] = Signal(self, "run-progress")  # coalesced: some case finished

    def toggle_mark(self, run_id: str) -> str:
        """Mark or unmark a run for comparison; says what the marks are now."""
        if run_id in self.marked:
            self.marked = [r for r in self.marked if r != run_id]
        else:
            self.marked = [*self.marked, run_id][-2:]
        if not self.marked:
            return "No run marked."
        shown = ", ".join(f"{tag} {rid}" for tag, rid in zip("AB", self.marked, strict=False))
        more = "press c to compare them" if len(self.marked) == 2 else "mark one more to compare"
        return f"Marked {shown}: {more}."

    def on_mount(self) -> None:
        loaded = load_themes()
        for theme in loaded.themes:
            self.register_theme(theme)
        for problem in loaded.problems:
            self.notify(problem, title="Theme file skipped", severity="warning", markup=False)
        wanted = self.config.theme
        if self.get_theme(wanted) is None:
            self.notify(
                f"Theme {wanted!r} not found; using {DEFAULT_THEME}.", severity="warning", markup=False
            )
            wanted = DEFAULT_THEME
        self.theme = wanted
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
            unknown = unknown_binding_ids(type(self), self.config.keymap)
            if unknown:
                self.notify(
                    f"keymap: no binding has the id {', '.join(map(repr, unknown))}; "
                    "? lists each binding's id",
                    title="Keymap",
                    severity="warning",
                    markup=False,
                )
        self.push_screen(SuitesScreen())
        self.live.watch_store()
        self.call_after_refresh(self.run_worker, self._warm_up, name="Warming up", exit_on_error=False)

    async def _warm_up(self) -> None:
        """Textual parses a widget class's DEFAULT_CSS when the first widget of that class mounts:
        a stall of the event loop when the Run screen first opens, in the middle of a live run
        (bench/tui.py measures it). Mount one hidden widget of each such class once the home screen
        is painted, one at a time so that the loop stays free between them, while the user reads
        the home screen. They go on the bottom screen, which is never shown: on the screen on top,
        one the user just opened could give its focus to the hidden Input or table as it shows, and
        once that widget was removed every key (q included) went to a widget no longer on screen."""
        hidden = self.screen_stack[0]
        for make in (RunHeader, ResultTable, Static, Input, SelectionList, Label, Horizontal, Trajectory):
            widget: Widget = make()
            widget.display = False
            await hidden.mount(widget)
            await widget.remove()
        # What start-up built (modules, stylesheets, the home screen) lives as long as the app: keep it
        # out of the collector's full passes, which otherwise stall the loop mid-run.
        gc.freeze()

    def _remember_theme(self, theme: Theme) -> None:
        if theme.name != self.config.theme:
            self.config.theme = theme.name
            self._save_theme(theme.name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings")
    def _save_theme(self, name: str) -> None:
        save_user_setting("theme", name)

    # -- actions ---------------------------------------------------------------------------
    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_go_back(self, quit_at_home: bool = True) -> None:
        if len(self.screen_stack) > 2:
            self.pop_screen()
        elif quit_at_home:
            self.ask_to_quit()

    async def action_quit(self) -> None:
        """Textual's quit (ctrl+q, the palette's Quit) asks too."""
        self.ask_to_quit()

    def ask_to_quit(self) -> None:
        """Quit, after asking when that would interrupt runs of this window."""
        if not len(self.live):
            self.exit()
        elif not isinstance(self.screen, QuitScreen):
            self.push_screen(QuitScreen(len(self.live)), self._quit_answered)

    def _quit_answered(self, leave: bool | None) -> None:
        if leave:
            self.live.cancel_all()
            self.exit()

    def action_runs(self) -> None:
        if not isinstance(self.screen, RunsScreen):
            self.push_screen(RunsScreen())

    def open_run(self, run_id: str) -> None:
        self.push_screen(RunScreen(run_id))

    def open_case(self, run_id: str, case_id: str, epoch: int = 0) -> None:
        self.push_screen(CaseScreen(run_id, case_id, epoch))

    def open_compare(self, run_a: str, run_b: str) -> None:
        """Is run B better than run A: the paired comparison and its case table."""
        self.push_screen(CompareScreen(run_a, run_b))

    def open_matrix(self, group_id: str) -> None:
        """Cases x models for the runs of one launch."""
        self.push_screen(MatrixScreen(group_id))

    def show_suite(self, name: str) -> None:
        """Back to the home screen with the named suite highlighted."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        home = self.screen_stack[-1]
        if isinstance(home, SuitesScreen):
            home.select_suite(name)

    # -- live runs -------------------------------------------------------------------------
    def on_run_launched(self, message: RunLaunched) -> None:
        self.run_changed.publish(message.run_id)  # a Run screen resumed in place goes live on this
        resumed_in_place = isinstance(self.screen, RunScreen) and self.screen.run_id == message.run_id
        if message.first and not resumed_in_place:
            self.open_run(message.run_id)

    def on_run_progress(self, message: RunProgress) -> None:
        self.live.progressed(message.run_id, message.stats)
        self.run_progress.publish(message.run_id)

    def on_run_ended(self, message: RunEnded) -> None:
        if message.run_id is None:
            return
        note = self.live.finished(message.run_id, message.status)
        self.run_changed.publish(message.run_id)
        if message.detail and message.status == "failed":  # the engine stopped it: say why
            self.notify(
                f"Run {message.run_id} failed: {message.detail}. Resume it once the model answers.",
                title="Run stopped",
                severity="error",
                markup=False,
                timeout=15,
            )
        elif message.detail and message.status == "stopped":  # at its cost ceiling, cases left
            self.notify(
                f"Run {message.run_id} stopped: {message.detail}. Resume it (r) to ask the rest.",
                title="Run stopped",
                severity="warning",
                markup=False,
                timeout=15,
            )
        elif note:
            self.notify(note, title="Run finished", markup=False)

    def on_unmount(self) -> None:
        self.live.cancel_all()
        self.store.checkpoint()  # the .db file alone holds everything (a run cancelled now does its own)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Every thread worker's failure ends here: a notification, never an exit."""
        if event.state == WorkerState.ERROR:
            self.notify_worker_error(event.worker)

    def notify_worker_error(self, worker: Worker[object]) -> None:
        """A failed worker as a notification. Screens call it from their own StateChanged
        handler: the message does not bubble, so a screen's workers never reach the one above."""
        error = worker.error
        text = str(error) if isinstance(error, EvaltuiError) else f"{type(error).__name__}: {error}"
        self.notify(
            text,
            title=f"{worker.name or 'Background task'} failed",
            severity="error",
            markup=False,
            timeout=10,
        )


def make_app(config: Config, db_path: Path, suite_dirs: list[Path]) -> EvaltuiApp:
    """The app on its own database and suite folders (tests pass temporary ones)."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(db_path)
    store.mark_stale_runs()
    return EvaltuiApp(config, store, list(suite_dirs))


if TYPE_CHECKING:
    from evaltui.tui.host import Host

    def _is_host(app: EvaltuiApp) -> Host:
        """mypy checks here that the app is what `host(...)` promises screens and widgets."""
        return app
