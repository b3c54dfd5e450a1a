"""TUI benchmarks: start-up to the first frame, opening a 100,000-result run (the first rows on
screen), the same rows through a DataTable holding every row (what the paged table avoids), and
the event loop's worst stall while a live 5,000-case run executes at concurrency 64.

    .venv/bin/python bench/tui.py          # prints the figures and updates docs/BENCHMARKS.md
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("EVALTUI_CONFIG", str(Path(tempfile.mkdtemp()) / "config.yaml"))

from bench._harness import machine, machine_speed, until, write_section
from tests.store.factories import write_big_run

from evaltui.config import Config
from evaltui.engine import RunOptions
from evaltui.store import Store
from evaltui.suites.models import Case, ModelSpec, ScorerSpec, Suite
from evaltui.tui.app import make_app
from evaltui.tui.requests import LaunchRequest
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.suites import SuitesScreen
from evaltui.tui.widgets.result_table import ResultTable

STALL_RUNS = 5
REPEATS = 5


async def open_big(db: Path, run_id: str) -> tuple[float, float]:
    """Seconds to the home screen's first frame, and from opening the run to its first rows."""
    started = time.perf_counter()
    app = make_app(Config(db_path=db), db, [])
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: isinstance(app.screen, SuitesScreen) and app.screen.is_mounted)
        startup = time.perf_counter() - started
        await pilot.pause()
        opened = time.perf_counter()
        app.open_run(run_id)
        await until(lambda: isinstance(app.screen, RunScreen) and bool(app.screen.query(ResultTable)))
        table = app.screen.query_one(ResultTable)
        await until(lambda: table.total and "case-000000" in table.render_line(1).text)
        first_rows = time.perf_counter() - opened
        await app.workers.wait_for_complete()  # the run's metrics, so the next open starts quiet
        return startup, first_rows


async def datatable_all_rows(db: Path, run_id: str) -> float:
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    with Store(db) as store:
        rows = [(Text(r.status), Text(r.case_id), Text(r.output or "")) for r in
                store.iter_results(run_id, columns=("status", "case_id", "output"))]  # fmt: skip

    class Plain(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    app = Plain()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("status", "case", "output")
        started = time.perf_counter()
        table.add_rows(rows)
        await pilot.pause()
        return time.perf_counter() - started


async def live_stall(db: Path, cases: int = 5_000) -> dict[str, float]:
    """Lateness (ms) of a 5 ms heartbeat on the UI loop during a live run (demo model, 20 ms a
    case, concurrency 64: about two seconds of run), and the most CPU the UI thread itself spent in
    one heartbeat gap. Reported over the whole run, and over the steady state: from 1 s after the
    Run screen opened (its first layout and paint are Textual's one-off cost of showing a screen)."""
    suite = Suite(
        name="stall",
        prompt="{{ input }}",
        scorers=[ScorerSpec(type="equals")],
        cases=[Case(id=f"c{i}", input=f"answer {i}", expected=f"answer {i}") for i in range(cases)],
    )
    model = ModelSpec(provider="demo", model="echo", params={"latency_ms": 20})
    app = make_app(Config(db_path=db), db, [])
    beats: list[tuple[float, float, float]] = []  # (since the screen opened, late ms, UI CPU ms)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.live.launch(LaunchRequest(suite, [model], RunOptions(concurrency=64)))
        await until(lambda: isinstance(app.screen, RunScreen) and len(app.live) == 1)
        opened = time.perf_counter()
        while len(app.live):
            before, cpu = time.perf_counter(), time.thread_time()
            await asyncio.sleep(0.005)
            late = (time.perf_counter() - before - 0.005) * 1000
            beats.append((before - opened, late, (time.thread_time() - cpu) * 1000))

    def stats(rows: list[tuple[float, float, float]]) -> dict[str, float]:
        late = sorted(r[1] for r in rows)
        return {"max": late[-1], "p99": late[int(len(late) * 0.99)], "busy": max(r[2] for r in rows)}

    whole, steady = stats(beats), stats([b for b in beats if b[0] >= 1.0])
    return {**{f"all_{k}": v for k, v in whole.items()}, **{f"steady_{k}": v for k, v in steady.items()}}


async def main() -> None:
    folder = Path(tempfile.mkdtemp())
    db = folder / "big.db"
    run_id = write_big_run(db)
    figures = [await open_big(db, run_id) for _ in range(REPEATS)]
    startup = statistics.median(f[0] for f in figures)
    first_rows = statistics.median(f[1] for f in figures)
    speeds, stalls = [], []
    for i in range(STALL_RUNS):
        speeds.append(machine_speed())
        stalls.append(await live_stall(folder / f"live{i}.db"))
    stall = {key: statistics.median(s[key] for s in stalls) for key in stalls[0]}
    each = ", ".join(
        f"{s['all_max']:.0f} ms ({speed:.2f} s)" for s, speed in zip(stalls, speeds, strict=True)
    )
    datatable = await datatable_all_rows(db, run_id)  # last: freeing 100,000 rows pauses the collector
    body = (
        f"### TUI ({machine()})\n\n"
        f"| measure | result |\n|---|---|\n"
        f"| start-up to the home screen's first frame | {startup * 1000:.0f} ms |\n"
        f"| open a 100,000-result run, first rows on screen (paged table) | {first_rows * 1000:.0f} ms |\n"
        f"| the same 100,000 rows added to a DataTable | {datatable * 1000:.0f} ms |\n"
        f"| event-loop stall during a live 5,000-case run at concurrency 64, steady state (max / p99) | "
        f"{stall['steady_max']:.0f} ms / {stall['steady_p99']:.0f} ms |\n"
        f"| the same, including the Run screen's first layout and paint (max / p99) | "
        f"{stall['all_max']:.0f} ms / {stall['all_p99']:.0f} ms |\n"
        f"| the UI thread's own CPU in the longest gap (steady / including first paint) | "
        f"{stall['steady_busy']:.0f} ms / {stall['all_busy']:.0f} ms |\n\n"
        f"Opens: medians of {REPEATS}; stalls: medians of {STALL_RUNS} live runs (heartbeat every 5 ms; "
        "steady state starts 1 s after the Run screen opened). `.venv/bin/python bench/tui.py` (headless, "
        "`App.run_test`).\n\n"
        f"Each live run's longest stall including the first paint, with the seconds a fixed Python loop took "
        f"just before it (lower is a faster machine at that moment): {each}."
    )
    print(body)
    write_section("tui", body)


if __name__ == "__main__":
    asyncio.run(main())
