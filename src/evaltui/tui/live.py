"""The runs this TUI process is running, and the runs other processes are running.

Each run's `Runner` works on its own thread with its own asyncio loop, so the engine's CPU work
(rendering prompts, scoring, JSON) cannot stall the UI's loop. The engine's events come back
through `post_message` (thread-safe): the engine's `Progress` figures become `RunProgress`
messages (coalesced, `can_replace`), whose last figures this object keeps for the screens
(`latest`); nothing polls the runner. The app owns this object, so a run keeps going while the
user browses other screens.

A run driven by another process (`evaltui run` in another terminal, on the same database) sends
this process no events: the database is read once a second instead (`look`), and what changed is
published on the app's signals as if it were a run of this window: `run_changed` when such a run
appears or ends (or its process dies: it is then marked interrupted), `run_progress` when more of
its results are in.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING

from evaltui.engine import Event, LiveStats, Progress, RunFinished, Runner, RunStarted
from evaltui.engine.launch import launch_runners
from evaltui.engine.resume import plan_resume
from evaltui.tui.host import Host
from evaltui.tui.messages import RunEnded, RunLaunched, RunProgress
from evaltui.tui.requests import LaunchRequest

LOOK_EVERY_S = 1.0  # how often the database is read for the runs of other processes

if TYPE_CHECKING:
    from textual.timer import Timer

    from evaltui.store import Store


@dataclass
class _Launch:
    """The runs of one launch, so that its several models make one notification each way (at
    80x24, one per run covered the table)."""

    runs: int
    others: list[str] = field(default_factory=list)  # "model (run id)" of the runs that did not open
    ended: list[str] = field(default_factory=list)  # "model status" of the runs that ended


@dataclass(frozen=True, slots=True)
class StoreLook:
    """What the database held at one look: enough to tell what changed since the last one."""

    runs: int  # how many runs it holds
    newest: str | None  # the id of the newest
    running: dict[str, tuple[int, int]]  # (done, total) of each run other processes are running


def look(store: Store) -> StoreLook:
    """Runs on a worker thread. A run whose process is gone is marked interrupted first, so a
    followed run whose process died ends like any other. This process's own runs (its pid on this
    host, from the moment a launch or resume claims them) are not another's."""
    store.mark_stale_runs()
    me = (os.getpid(), socket.gethostname())
    running = {
        run.id: (store.count_results(run.id), run.total)
        for run in store.list_runs(status="running", limit=1000)
        if (run.pid, run.hostname) != me
    }
    newest = store.list_runs(limit=1)
    return StoreLook(store.count_runs(), newest[0].id if newest else None, running)


class LiveRuns:
    def __init__(self, app: Host) -> None:
        self._app = app
        self._runners: dict[str, Runner] = {}
        self._latest: dict[str, LiveStats] = {}  # run id -> its last figures (set on the UI thread)
        self._launches: dict[str, _Launch] = {}  # run id -> its launch
        self._seen: StoreLook | None = None  # the last look at the database
        self._looking = False
        self._timer: Timer | None = None

    def running_here(self, run_id: str) -> bool:
        """This window is running the run (from its start to its end)."""
        return run_id in self._runners

    def __len__(self) -> int:
        return len(self._runners)

    def following(self, run_id: str) -> bool:
        """Another process was running this run at the last look."""
        return self._seen is not None and run_id in self._seen.running

    def latest(self, run_id: str) -> LiveStats | None:
        """The last figures a run of this window sent (None before its first)."""
        return self._latest.get(run_id)

    def progressed(self, run_id: str, stats: LiveStats) -> None:
        """A run's `RunProgress` reached the UI thread: keep its figures for the screens."""
        if run_id in self._runners:
            self._latest[run_id] = stats

    def progress(self, run_id: str) -> tuple[int, int] | None:
        """(done, total) of a run going on, here or in another process; None for any other run."""
        if run_id in self._runners:
            stats = self._latest.get(run_id)
            return (stats.done, stats.total) if stats is not None else (0, 0)
        return self._seen.running.get(run_id) if self._seen is not None else None

    # -- runs of other processes ------------------------------------------------------------
    def watch_store(self) -> None:
        self._timer = self._app.set_interval(LOOK_EVERY_S, self._look, name="watch the database")

    def _look(self) -> None:
        if self._looking:  # the last look is still reading (a busy database): skip this one
            return
        self._looking = True
        self._app.run_worker(
            self._read,
            thread=True,
            exit_on_error=False,
            group="watch",
            name="Watching the database",
        )

    def _read(self) -> None:
        seen = None
        try:
            seen = look(self._app.store)
        finally:
            self._app.call_from_thread(self._compare, seen)

    def _compare(self, seen: StoreLook | None) -> None:
        """Publish what changed since the last look. A failed look (notified by the app's worker
        handler) stops the watching, rather than notifying the same failure every second."""
        self._looking = False
        if seen is None:
            if self._timer is not None:
                self._timer.stop()
            return
        before, self._seen = self._seen, seen
        if before is None:
            # The screens read the database as they opened, but a run may have started since: the
            # runs going on at the first look are news to a screen that read before they began.
            before = StoreLook(seen.runs, seen.newest, {})
        changed = set(before.running) ^ set(seen.running)  # started, or ended
        if (seen.runs, seen.newest) != (before.runs, before.newest) and seen.newest:
            changed.add(seen.newest)  # also a run that started and ended between two looks
        for run_id in sorted(changed):
            self._app.run_changed.publish(run_id)
        for run_id, counts in seen.running.items():
            if run_id not in changed and counts != before.running[run_id]:
                self._app.run_progress.publish(run_id)

    # -- runs of this window ------------------------------------------------------------------

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
        options = replace(request.options, prices=dict(self._app.config.prices))
        # every prompt variant on every model; SuiteError: shown by the app's worker handler
        runners = launch_runners(self._app.store, request.suite, request.models, options)
        launch = _Launch(len(runners))
        for index, runner in enumerate(runners):
            runner.subscribe(self._watcher(runner, launch, first=index == 0))
            self._app.call_from_thread(self._start, runner)

    def resume(self, run_id: str, *, retry_errors: bool = False) -> None:
        """Finish a run that ended early (or ask its errored cases again), as `evaltui run --resume`
        does: through the engine's `plan_resume`, with the options the run was started with."""
        self._app.run_worker(
            partial(self._plan_and_resume, run_id, retry_errors),
            thread=True,
            exit_on_error=False,
            group="launch",
            name=f"Resuming run {run_id}",
        )

    def _plan_and_resume(self, run_id: str, retry_errors: bool) -> None:
        app = self._app
        plan = plan_resume(app.store, run_id, retry_errors=retry_errors, prices=dict(app.config.prices))
        for note in plan.notes:
            app.call_from_thread(app.notify, note, severity="warning", markup=False, timeout=8)
        why = plan.nothing_to_do()
        if why is not None:
            app.call_from_thread(app.notify, why, markup=False, timeout=8)
            return
        runner = plan.runner(app.store)
        runner.subscribe(self._watcher(runner, _Launch(1), first=True))
        app.call_from_thread(self._start, runner)

    def _start(self, runner: Runner) -> None:
        self._app.run_worker(
            lambda: asyncio.run(runner.run()),
            thread=True,
            exit_on_error=False,
            group="live-runs",
            name=f"run {runner.model.id}",
        )

    def _watcher(self, runner: Runner, launch: _Launch, *, first: bool) -> Callable[[Event], None]:
        """The engine's subscriber (the TUI's display): called on the runner's own thread, so it
        only hands events to the UI thread (messages; a run's start, which this object keeps,
        through `call_from_thread`). Per-case events are not passed on: every message posted from another
        thread wakes the UI's loop, and the engine's `Progress` (ten a second at most) says it all."""

        def on_event(event: Event) -> None:
            if isinstance(event, RunStarted):  # kept on the UI thread, where every reader is
                self._app.call_from_thread(self._started, runner, launch, event, first)
            elif isinstance(event, RunFinished):
                self._app.post_message(RunEnded(event.run_id, event.status, event.reason or ""))
            elif isinstance(event, Progress):
                self._app.post_message(RunProgress(event.run_id, event.stats))

        return on_event

    def _started(self, runner: Runner, launch: _Launch, event: RunStarted, first: bool) -> None:
        """A run of this window has its row and starts asking (on the UI thread: the engine's
        waits for this before its first figures come)."""
        self._runners[event.run_id] = runner
        self._launches[event.run_id] = launch
        self._app.post_message(RunLaunched(event.run_id, event.suite, event.model_id, first=first))
        if not first:
            self._tell_also_running(launch, event)

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
        self._latest.pop(run_id, None)
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
