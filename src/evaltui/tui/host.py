"""What the app gives the two modules it owns and imports: the live runs (`live.py`) and the command
palette (`commands.py`). Naming `EvaltuiApp` back from them would make an import cycle, so they see
the app through this protocol, which `EvaltuiApp` satisfies: its own members, and the few of
Textual's `App` they call."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.message import Message
    from textual.notifications import SeverityLevel
    from textual.signal import Signal
    from textual.timer import Timer
    from textual.worker import Worker

    from evaltui.config import Config
    from evaltui.store import Store
    from evaltui.suites import SuiteEntry


class Host(Protocol):
    config: Config
    store: Store
    suites: list[SuiteEntry]  # as last loaded by the home screen
    marked: list[str]  # runs marked for comparison, A first; at most two
    run_changed: Signal[str]
    run_progress: Signal[str]

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
