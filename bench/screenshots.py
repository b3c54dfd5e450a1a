"""Screenshots for the README: the Suites, Launch, Run, Case and Runs screens at 120×36, as SVG.

The app runs headless on a deterministic database (each sample suite run on demo:keyword and
demo:rules by the real engine, then frozen: fixed run ids, times and latencies), so the SVGs only
change when the screens do.

    .venv/bin/python bench/screenshots.py          # writes docs/screenshots/*.svg
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.tui.frozen import demo_database
from textual.pilot import Pilot

from evaltui.config import Config
from evaltui.tui.app import EvaltuiApp, make_app
from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.launch import LaunchScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.runs import RunsScreen
from evaltui.tui.screens.suites import SuitesScreen

ROOT = Path(__file__).resolve().parents[1]
SIZE = (120, 36)
OUT = ROOT / "docs" / "screenshots"
SUITES = Path("sample_suites")  # relative, so the suite paths on screen do not name this machine
MODELS = ("demo:keyword", "demo:rules")
SHOWN_SUITE = "support_intent"


async def until(pilot: Pilot, condition: Callable[[], bool]) -> None:
    for _ in range(400):
        if condition():
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            return
        await pilot.pause(0.025)
    raise RuntimeError(f"the app never reached the expected state (screen {pilot.app.screen!r})")


def shot(app: EvaltuiApp, name: str) -> None:
    app.save_screenshot(f"{name}.svg", str(OUT))
    print(f"docs/screenshots/{name}.svg")


async def take(app: EvaltuiApp, run_id: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, SuitesScreen) and not app.screen.reading and bool(app.screen.entries)
            ),
        )
        home = app.screen
        assert isinstance(home, SuitesScreen)
        home.select_suite("support-intent")
        await pilot.pause()
        shot(app, "suites")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, LaunchScreen))
        shot(app, "launch")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SuitesScreen))
        app.open_run(run_id)
        await until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.is_mounted)
        await until(pilot, lambda: "p50 –" not in str(app.screen.query_one("#run-header").render()))
        shot(app, "run")
        await pilot.press("f")
        await until(pilot, lambda: True)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.is_mounted)
        shot(app, "case")
        await pilot.press("escape", "escape")
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, RunsScreen) and bool(app.screen.runs))
        shot(app, "runs")


def main() -> None:
    os.environ["EVALTUI_CONFIG"] = str(Path(tempfile.mkdtemp()) / "config.yaml")  # not the user's theme
    os.chdir(ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    db = Path(tempfile.mkdtemp()) / "screenshots.db"
    files = sorted(SUITES.glob("*.yaml"))
    run_ids = demo_database(db, files, MODELS)
    shown = run_ids[[f.stem for f in files].index(SHOWN_SUITE) * len(MODELS)]
    app = make_app(Config(db_path=db, theme="evaltui-dark"), db, [SUITES])
    app.animation_level = "none"
    asyncio.run(take(app, shown))


if __name__ == "__main__":
    main()
