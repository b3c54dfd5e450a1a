"""Messages that cross from worker threads (the store, the engine) to the app's screens."""

from __future__ import annotations

from textual.message import Message


class RunLaunched(Message):
    """A run started from the TUI has its row in the database and is now running."""

    def __init__(self, run_id: str, suite: str, model_id: str, *, first: bool) -> None:
        super().__init__()
        self.run_id = run_id
        self.suite = suite
        self.model_id = model_id
        self.first = first  # the first run of a launch: the one whose screen opens


class RunProgress(Message):
    """Some case of a live run finished. Coalesced: a newer one replaces a pending one, so a
    thousand finished cases per second cost the UI a handful of messages."""

    def __init__(self, run_id: str) -> None:
        super().__init__()
        self.run_id = run_id

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RunProgress) and message.run_id == self.run_id


class RunEnded(Message):
    def __init__(self, run_id: str | None, status: str, detail: str = "") -> None:
        super().__init__()
        self.run_id = run_id
        self.status = status
        self.detail = detail
