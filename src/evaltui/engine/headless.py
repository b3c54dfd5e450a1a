"""Running the engine outside the TUI (`evaltui run`, the benchmarks): one call that owns the
event loop for the whole run.

Three things make a headless run faster without changing what it does:
- the loop is uvloop's where it is installed (a dependency on Linux and macOS): its sockets,
  timers and callbacks are written in C, which lowers the harness's CPU a case at high
  concurrency (docs/BENCHMARKS.md has the figures); elsewhere (Windows) it is asyncio's own loop;
- everything alive when the run starts (modules, the suite, its prepared cases) is frozen out
  of the garbage collector's reach (`gc.freeze`): it lives until the process ends anyway, and
  unfrozen, each full collection during the run walks all of it, a stall of every request in
  flight that grows with the suite. The TUI freezes its own heap once at start-up instead
  (tui/app.py): it lives on after a run, so it must not freeze each run's garbage;
- the collector's youngest generation is collected less often during the run (RUN_GC_THRESHOLD
  new objects, not 700): hundreds of requests in flight keep thousands of young objects alive
  (coroutines, futures, buffers), which every young collection walks again and promotes, and the
  older generations' collections then walk them again; what dies young is freed by its count of
  references whatever the threshold. The thresholds the process had come back after the run.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
RUN_GC_THRESHOLD = 50_000  # new objects between two collections of the youngest generation


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
    thresholds = gc.get_threshold()
    gc.set_threshold(RUN_GC_THRESHOLD, *thresholds[1:])
    gc.enable()  # `evaltui run` pauses the collector through its start-up (cli.py); the run has it on
    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            return runner.run(main)
    finally:
        gc.set_threshold(*thresholds)
