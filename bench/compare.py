"""Compare two 100,000-case runs, and diff two 100 KB outputs; writes docs/BENCHMARKS.md#compare.

Run: .venv/bin/python bench/compare.py"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import machine, median, timed, until, write_section
from tests.compare.builders import big_runs

from evaltui.analysis.diff import word_diff
from evaltui.config import Config
from evaltui.reports.comparison import compare_runs
from evaltui.reports.shortdiff import short_diff
from evaltui.store import Store
from evaltui.tui.app import make_app
from evaltui.tui.screens.compare import CompareScreen
from evaltui.tui.widgets.paged_table import PagedTable

N = 100_000
EVALTUI = str(Path(sys.executable).with_name("evaltui"))


def outcome(i: int, side: int) -> tuple[str, str]:
    failing = (i % 10 == 0) != (side == 1 and i % 70 == 0)
    return ("fail" if failing else "pass"), f"answer {i}" + (" changed" if side and i % 3 == 0 else "")


def first_line_s(db: Path, a: str, b: str) -> tuple[float, float]:
    """Seconds to the first line of `evaltui compare` and to its end."""
    env = {**os.environ, "EVALTUI_DB": str(db)}
    start = time.perf_counter()
    proc = subprocess.Popen([EVALTUI, "compare", a, b], stdout=subprocess.PIPE, env=env, text=True)
    proc.stdout.readline()  # type: ignore[union-attr]
    first = time.perf_counter() - start
    proc.communicate()
    return first, time.perf_counter() - start


async def tui_first_screen_s(db: Path, a: str, b: str) -> float:
    """Seconds from opening the Compare screen to its summary and first rows of regressions drawn."""
    app = make_app(Config(db_path=db), db, [])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        app.open_compare(a, b)

        def shown() -> bool:
            screen = app.screen
            if not isinstance(screen, CompareScreen) or screen.comparison is None:
                return False
            table = screen.query_one(PagedTable)
            return bool(table.total) and table.row_at(0) is not None

        await until(shown)
        await pilot.pause()
        return time.perf_counter() - start


def text_of(seed: int, size: int = 100_000) -> str:
    rng = random.Random(seed)
    words = [
        rng.choice(["alpha", "beta", "gamma", "delta", "refund", "ticket", "\n"]) for _ in range(size // 6)
    ]
    return " ".join(words)[:size]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        a, b = big_runs(db, N, outcome)
        with Store(db) as store:
            times = []
            for _ in range(3):
                start = time.perf_counter()
                compare_runs(store, a, b)
                times.append(time.perf_counter() - start)
        firsts, totals = zip(*(first_line_s(db, a, b) for _ in range(3)), strict=True)
        screens = [asyncio.run(tui_first_screen_s(db, a, b)) for _ in range(3)]
        _, cpu, rss = timed([EVALTUI, "compare", a, b], env={**os.environ, "EVALTUI_DB": str(db)})
    old = text_of(1)
    new = old[:30_000] + text_of(2, 40_000) + old[70_000:]
    diffs = []
    for _ in range(3):
        start = time.perf_counter()
        word_diff(old, new)
        short_diff(old, new)
        diffs.append(time.perf_counter() - start)
    body = f"""## Compare ({machine()})

| what | median |
|---|---|
| `compare_runs` of two {N:,}-case runs (in process, full summary) | {median(times):.2f} s |
| TUI: the Compare screen's summary and first rows, from opening it | {median(screens):.2f} s |
| `evaltui compare A B`: first line of output | {median(list(firsts)):.2f} s |
| `evaltui compare A B`: whole summary and regression list | {median(list(totals)):.2f} s |
| `evaltui compare A B`: CPU, max RSS | {cpu:.2f} s, {rss} MiB |
| word diff + short diff of two 100 KB outputs (40 KB changed) | {median(diffs):.2f} s |

The first line names the two runs (no scan yet). Two runs of one epoch are joined on the results
primary key and counted inside SQLite, and only the moved cases' ids come back to Python; runs
with epochs are read once each in case-id order and folded case by case. Finished runs keep their
latency percentiles, so neither path reads latencies again. The CLI's times include the
interpreter's start-up and imports."""
    write_section("compare", body)
    print(body)


if __name__ == "__main__":
    main()
