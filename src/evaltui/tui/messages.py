"""Messages that cross from worker threads (the store, the engine) to the app's screens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from evaltui.engine import LiveStats


class RunLaunched(Message):
    """A run started from the TUI has its row in the database and is now running."""

    def __init__(self, run_id: str, suite: str, model_id: str, *, first: bool) -> None:
        super().__init__()
        self.run_id = run_id
        self.suite = suite
        self.model_id = model_id
        self.first = first  # the first run of a launch: the one whose screen opens


class RunProgress(Message):
    """A live run's figures moved (the engine's `Progress`, at most ten a second). Coalesced: a
    newer one replaces a pending one, so a busy UI loop handles only the latest."""

    def __init__(self, run_id: str, stats: LiveStats) -> None:
        super().__init__()
        self.run_id = run_id
        self.stats = stats

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RunProgress) and message.run_id == self.run_id


class RunEnded(Message):
    def __init__(self, run_id: str | None, status: str, detail: str = "") -> None:
        super().__init__()
        self.run_id = run_id
        self.status = status
        self.detail = detail
