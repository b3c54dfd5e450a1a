"""The headless CLI's live progress: an engine subscriber keeping each run's latest figures (the
same events the TUI consumes), the loop that draws them on standard error, and `--events` lines.

Nothing here imports Rich: the drawing loop takes its console (and so Rich, on a worker thread) once
the runs' first figures are in and one refresh has passed, when their first requests are out.
Before the first figures there is nothing to draw."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from typing import IO, TYPE_CHECKING, cast

if TYPE_CHECKING:  # the engine (scorers, providers, HTTP) is not imported by commands that only read
    from collections.abc import Callable

    from rich.console import Console, Group

    from evaltui.engine import Event, LiveStats, Progress, RunStarted
    from evaltui.terminal import Terminal

REFRESH_S = 0.1
LOG_EVERY_S = 5.0


class ProgressDisplay:
    """The CLI's display: an engine subscriber keeping each run's last `Progress`, in the order the
    runs started; `show_progress` draws what it holds."""

    cases = False  # it draws no single case: the engine tells it of none (no CaseFinished)

    def __init__(self) -> None:
        # run id -> (model id, epochs, last figures)
        self.runs: dict[str, tuple[str, int, LiveStats | None]] = {}

    def __call__(self, event: Event) -> None:
        # told apart by name, not by an import of the engine's events for each call
        kind = type(event).__name__
        if kind == "Progress":
            progress = cast("Progress", event)
            if progress.run_id in self.runs:
                model_id, epochs, _ = self.runs[progress.run_id]
                self.runs[progress.run_id] = (model_id, epochs, progress.stats)
        elif kind == "RunStarted":
            started = cast("RunStarted", event)
            self.runs[started.run_id] = (started.model_id, started.epochs, None)

    def rows(self) -> list[tuple[str, int, LiveStats]]:
        """(model id, epochs, latest figures) of each run with figures, in the order they started."""
        return [(model, epochs, stats) for model, epochs, stats in self.runs.values() if stats is not None]


async def show_progress(display: ProgressDisplay, terminal: Terminal, done: asyncio.Event) -> None:
    """Redraw at most ten times a second what the display holds until `done` is set. Where the
    output is not a terminal (CI logs), print a plain line every few seconds and once at the end
    instead. The first frame waits for the first figures, and then for one refresh."""
    while not display.rows() and not done.is_set():  # nothing to draw yet
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), REFRESH_S)
    with contextlib.suppress(TimeoutError):  # the runs' first requests go out meanwhile
        await asyncio.wait_for(done.wait(), REFRESH_S)
    # Rich is imported on a worker thread: the loop goes on sending and answering meanwhile
    console, progress_table = await asyncio.to_thread(_drawing, terminal)
    if not console.is_terminal:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), LOG_EVERY_S)
            console.print(progress_table(display.rows()))
            if done.is_set():
                return
    from rich.live import Live  # loaded by _drawing

    with Live(console=console, auto_refresh=False, transient=False) as live:
        while True:
            live.update(progress_table(display.rows()), refresh=True)
            if done.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), REFRESH_S)


def _drawing(terminal: Terminal) -> tuple[Console, Callable[[list[tuple[str, int, LiveStats]]], Group]]:
    """What drawing the progress takes: standard error's console, the function that lays out the
    lines, and Rich's redrawing in place (a terminal's only)."""
    from evaltui.console import progress_table

    console = terminal.err
    if console.is_terminal:
        import rich.live  # noqa: F401
    return console, progress_table


class EventLines:
    """`--events FILE|-`: one JSON object per engine event, flushed per line, for scripts and CI."""

    def __init__(self, target: str) -> None:
        from evaltui.engine.events import event_to_dict

        self._to_dict = event_to_dict
        self._stream: IO[str] = sys.stdout if target == "-" else open(target, "a", encoding="utf-8")  # noqa: SIM115
        self._owned = target != "-"
        self._gone = False  # the pipe's reader has gone: nothing more is written

    def __call__(self, event: Event) -> None:
        if self._gone or type(event).__name__ == "Progress":  # Progress: figures a display redraws
            return
        try:
            self._stream.write(json.dumps(self._to_dict(event), ensure_ascii=False) + "\n")
            self._stream.flush()
        except BrokenPipeError:  # the reader went (`--events - | head`): the run goes on, unheard
            self._gone = True

    def close(self) -> None:
        if self._owned:
            self._stream.close()
