"""The run's progress display on standard error: drawn from the runs' first figures on (its
console, and so Rich, is taken only then, when the first requests are out), and where standard
error is not a terminal, a plain line every few seconds and one at the end."""

from __future__ import annotations

import asyncio
import io
from functools import cached_property

from rich.console import Console

from evaltui.engine import LiveStats, Progress, RunStarted
from evaltui.progress import ProgressDisplay, show_progress
from evaltui.terminal import Terminal


class LogTerminal(Terminal):
    """Standard error as a CI log (not a terminal), counting when its console is made."""

    made = 0

    @cached_property
    def err(self) -> Console:
        self.made += 1
        return Console(file=io.StringIO(), force_terminal=False, width=200)


async def test_no_console_is_made_before_the_first_figures_then_one_line_at_the_end() -> None:
    display, terminal, done = ProgressDisplay(), LogTerminal(), asyncio.Event()
    drawing = asyncio.create_task(show_progress(display, terminal, done))
    display(RunStarted("r1", "suite", "demo:echo", total=3))
    await asyncio.sleep(0.3)  # three refreshes: the run has started but sent no figures yet
    assert terminal.made == 0

    display(Progress("r1", LiveStats(total=3, done=1, passed=1)))
    display(Progress("r1", LiveStats(total=3, done=3, passed=2, failed=1)))
    done.set()
    await drawing
    lines = terminal.err.file.getvalue().splitlines()
    assert terminal.made == 1 and len(lines) == 1
    assert "demo:echo" in lines[0] and " 3/3 " in lines[0]


async def test_a_run_that_ends_before_any_figures_prints_no_progress_line() -> None:
    display, terminal, done = ProgressDisplay(), LogTerminal(), asyncio.Event()
    drawing = asyncio.create_task(show_progress(display, terminal, done))
    display(RunStarted("r1", "suite", "demo:echo", total=3))
    done.set()
    await drawing
    assert terminal.err.file.getvalue() == ""
