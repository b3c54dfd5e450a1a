"""Running the engine outside the TUI (`evaltui run`, the benchmarks): one call that owns the
event loop for the whole run.

Two things make a headless run faster without changing what it does:
- the loop is uvloop's where it is installed (a dependency on Linux and macOS): its sockets,
  timers and callbacks are written in C, which lowers the harness's CPU a case at high
  concurrency (docs/BENCHMARKS.md has the figures); elsewhere (Windows) it is asyncio's own loop;
- everything alive when the run starts (modules, the suite, its prepared cases) is frozen out
  of the garbage collector's reach (`gc.freeze`): it lives until the process ends anyway, and
  unfrozen, each full collection during the run walks all of it, a stall of every request in
  flight that grows with the suite. The TUI freezes its own heap once at start-up instead
  (tui/app.py): it lives on after a run, so it must not freeze each run's garbage.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop when it can be imported, else None (asyncio's default)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run_headless(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` to completion on a new event loop, as `asyncio.run` does (Ctrl-C cancels it,
    async generators and the default executor are shut down after it)."""
    gc.freeze()
    gc.enable()  # `evaltui run` pauses the collector through its start-up (cli.py); the run has it on
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
