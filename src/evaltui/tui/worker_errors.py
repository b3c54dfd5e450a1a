"""Every screen's failed workers become notifications, in one place.

`Worker.StateChanged` does not bubble (Textual posts it to the worker's own node only), so an
App-level handler never sees the failures of workers started by screens. Screens mix this in."""

from __future__ import annotations

from textual.worker import Worker, WorkerState

from evaltui.tui.host import InApp, host


class ReportsWorkerErrors:
    def on_worker_state_changed(self: InApp, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            host(self).notify_worker_error(event.worker)
