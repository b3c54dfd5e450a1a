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


@dataclass
class _Launch:
    """The runs of one launch, so that its several models make one notification each way (at
    80x24, one per run covered the table)."""

    runs: int
    others: list[str] = field(default_factory=list)  # "model (run id)" of the runs that did not open
    ended: list[str] = field(default_factory=list)  # "model status" of the runs that ended


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
        self._launches: dict[str, _Launch] = {}  # run id -> its launch

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
        launch = _Launch(len(runners))
        for index, runner in enumerate(runners):
            runner.subscribe(self._watcher(runner, launch, first=index == 0))
            self._app.call_from_thread(self._start, runner)

    def _start(self, runner: Runner) -> None:
        self._app.run_worker(
            lambda: asyncio.run(runner.run()),
            thread=True,
            exit_on_error=False,
            group="live-runs",
            name=f"run {runner.model.id}",
        )

    def _watcher(self, runner: Runner, launch: _Launch, *, first: bool):  # type: ignore[no-untyped-def]
        """The engine's subscriber: called on the runner's own thread, so it only posts messages.

        Progress is throttled here, on the engine's side: every message posted from another thread
        wakes the UI's loop (and takes the GIL from the engine to do it), so a per-case message
        would cost the UI thousands of wake-ups a second even if `can_replace` folds them later."""
        last_progress = 0.0

        def on_event(event: Event) -> None:
            nonlocal last_progress
            if isinstance(event, RunStarted):
                self._runners[event.run_id] = runner
                self._launches[event.run_id] = launch
                self._app.post_message(RunLaunched(event.run_id, event.suite, event.model_id, first=first))
                if not first:
                    self._app.call_from_thread(self._tell_also_running, launch, event)
            elif isinstance(event, RunFinished):
                self._app.post_message(RunEnded(event.run_id, event.status))
            elif (now := time.monotonic()) - last_progress >= PROGRESS_EVERY_S:
                last_progress = now
                self._app.post_message(RunProgress(event.run_id))

        return on_event

    def _tell_also_running(self, launch: _Launch, event: RunStarted) -> None:
        """Only the first run of a launch opens; the others must not run unseen. One notification
        names them all, once the last of them has started."""
        launch.others.append(f"{event.model_id} (run {event.run_id})")
        if len(launch.others) < launch.runs - 1:
            return
        self._app.notify(
            f"Also running {', '.join(launch.others)}. On the Run screen, m shows every model of "
            "this launch side by side; R lists all runs.",
            title="Several models",
            markup=False,
            timeout=8,
        )

    def finished(self, run_id: str, status: str) -> str | None:
        """Forget a run that ended. What to tell the user: at once for a run launched alone, and
        once for a launch of several models, when the last of its runs has ended."""
        runner = self._runners.pop(run_id, None)
        launch = self._launches.pop(run_id, None)
        if launch is None or launch.runs == 1 or runner is None:
            return f"Run {run_id} {status}."
        launch.ended.append(f"{runner.model.id} {status}")
        if len(launch.ended) < launch.runs:
            return None
        return f"All {launch.runs} runs of the launch ended: {', '.join(launch.ended)}."

    def cancel(self, run_id: str) -> bool:
        runner = self._runners.get(run_id)
        if runner is None:
            return False
        runner.cancel()
        return True

    def cancel_all(self) -> None:
        for runner in list(self._runners.values()):
            runner.cancel()
