"""The runs this TUI process is running.

Each run's `Runner` works on its own thread with its own asyncio loop, so the engine's CPU work
(rendering prompts, scoring, JSON) cannot stall the UI's loop. The engine's events come back
through `post_message` (thread-safe); per-case progress is coalesced (`RunProgress.can_replace`)
and the Run screen reads `Runner.stats` on a timer. The app owns this object, so a run keeps
going while the user browses other screens.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evaltui.engine import Event, RunFinished, Runner, RunOptions, RunStarted, make_runners, prepare
from evaltui.suites.models import ModelSpec, Suite
from evaltui.tui.messages import RunEnded, RunLaunched, RunProgress

PROGRESS_EVERY_S = 0.1  # at most this often a live run wakes the UI's loop to say it moved on

if TYPE_CHECKING:
    from evaltui.tui.app import EvaltuiApp


@dataclass(frozen=True)
class LaunchRequest:
    """What the Launch screen asks for: a suite, the models to run it on, and the options."""

    suite: Suite
    models: list[ModelSpec]
    options: RunOptions = field(default_factory=RunOptions)


class LiveRuns:
    def __init__(self, app: EvaltuiApp) -> None:
        self._app = app
        self._runners: dict[str, Runner] = {}

    def get(self, run_id: str) -> Runner | None:
        return self._runners.get(run_id)

    def __len__(self) -> int:
        return len(self._runners)

    def launch(self, request: LaunchRequest) -> None:
        """Prepare the suite and start one runner per model, each on its own thread."""
        self._app.run_worker(
            lambda: self._prepare_and_start(request),
            thread=True,
            exit_on_error=False,
            group="launch",
            name=f"launch {request.suite.name}",
        )

    def _prepare_and_start(self, request: LaunchRequest) -> None:
        prepared = prepare(request.suite)  # SuiteError: shown by the app's worker handler
        runners = make_runners(self._app.store, prepared, request.models, request.options)
        for index, runner in enumerate(runners):
            runner.subscribe(self._watcher(runner, first=index == 0))
            self._app.call_from_thread(self._start, runner)

    def _start(self, runner: Runner) -> None:
        self._app.run_worker(
            lambda: asyncio.run(runner.run()),
            thread=True,
            exit_on_error=False,
            group="live-runs",
            name=f"run {runner.model.id}",
        )

    def _watcher(self, runner: Runner, *, first: bool):  # type: ignore[no-untyped-def]
        """The engine's subscriber: called on the runner's own thread, so it only posts messages.

        Progress is throttled here, on the engine's side: every message posted from another thread
        wakes the UI's loop (and takes the GIL from the engine to do it), so a per-case message
        would cost the UI thousands of wake-ups a second even if `can_replace` folds them later."""
        last_progress = 0.0

        def on_event(event: Event) -> None:
            nonlocal last_progress
            if isinstance(event, RunStarted):
                self._runners[event.run_id] = runner
                self._app.post_message(RunLaunched(event.run_id, event.suite, event.model_id, first=first))
                if not first:
                    self._app.call_from_thread(self._tell_also_running, event)
            elif isinstance(event, RunFinished):
                self._app.post_message(RunEnded(event.run_id, event.status))
            elif (now := time.monotonic()) - last_progress >= PROGRESS_EVERY_S:
                last_progress = now
                self._app.post_message(RunProgress(event.run_id))

        return on_event

    def _tell_also_running(self, event: RunStarted) -> None:
        """Only the first run of a launch opens; the others must not run unseen."""
        self._app.notify(
            f"Also running {event.model_id} (run {event.run_id}). On the Run screen, m shows every "
            "model of this launch side by side; R lists all runs.",
            title="Several models",
            markup=False,
            timeout=8,
        )

    def finished(self, run_id: str) -> None:
        self._runners.pop(run_id, None)

    def cancel(self, run_id: str) -> bool:
        runner = self._runners.get(run_id)
        if runner is None:
            return False
        runner.cancel()
        return True

    def cancel_all(self) -> None:
        for runner in list(self._runners.values()):
            runner.cancel()
