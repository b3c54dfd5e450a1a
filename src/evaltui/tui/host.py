"""The app as everything below it sees it: the live runs (`live.py`), the command palette
(`palette.py`), the screens and widgets. Naming `EvaltuiApp` back from them would make an import
cycle, so they see the app through this protocol, which `EvaltuiApp` satisfies (mypy checks it in
app.py): its own members, and the few of Textual's `App` they call. `host(self)` is the typed way
to it from any widget or screen, instead of `self.app.<attr>  # type: ignore`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message
    from textual.notifications import SeverityLevel
    from textual.signal import Signal
    from textual.timer import Timer
    from textual.worker import Worker

    from evaltui.config import Config
    from evaltui.engine import LiveStats
    from evaltui.store import Store
    from evaltui.suites import SuiteEntry
    from evaltui.tui.requests import LaunchRequest


class LiveView(Protocol):
    """The runs going on, as screens ask about them (`live.LiveRuns`)."""

    def running_here(self, run_id: str) -> bool: ...

    def following(self, run_id: str) -> bool: ...

    def latest(self, run_id: str) -> LiveStats | None: ...

    def progress(self, run_id: str) -> tuple[int, int] | None: ...

    def launch(self, request: LaunchRequest) -> None: ...

    def resume(self, run_id: str, *, retry_errors: bool = False) -> None: ...

    def cancel(self, run_id: str) -> bool: ...


class Host(Protocol):
    config: Config
    store: Store
    suite_dirs: list[Path]
    suites: list[SuiteEntry]  # as last loaded by the home screen
    marked: list[str]  # runs marked for comparison, A first; at most two
    run_changed: Signal[str]
    run_progress: Signal[str]

    @property
    def live(self) -> LiveView: ...

    def toggle_mark(self, run_id: str) -> str: ...

    def action_go_back(self, quit_at_home: bool = True) -> None: ...

    def notify_worker_error(self, worker: Worker[object]) -> None: ...

    def open_matrix(self, group_id: str) -> None: ...

    def open_run(self, run_id: str) -> None: ...

    def open_case(self, run_id: str, case_id: str, epoch: int = 0) -> None: ...

    def open_compare(self, run_a: str, run_b: str) -> None: ...

    def show_suite(self, name: str) -> None: ...

    # Textual's App, as far as these modules use it (its signatures).
    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...

    def run_worker(
        self,
        work: Any,
        name: str | None = "",
        group: str = "default",
        description: str = "",
        exit_on_error: bool = True,
        start: bool = True,
        exclusive: bool = False,
        thread: bool = False,
    ) -> Worker[Any]: ...

    def set_interval(
        self,
        interval: float,
        callback: Callable[[], Any] | None = None,
        *,
        name: str | None = None,
        repeat: int = 0,
        pause: bool = False,
    ) -> Timer: ...

    def post_message(self, message: Message) -> bool: ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...


class InApp(Protocol):
    """Anything that knows its app: a widget, a screen, a palette provider (and their mixins)."""

    @property
    def app(self) -> App[Any]: ...


def host(node: InApp) -> Host:
    """The app a widget or screen runs in, typed as what it offers them."""
    return cast("Host", node.app)
