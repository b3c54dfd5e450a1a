"""Screenshots for the README: the Suites, Launch, Run, Case, Runs, an agent case's trajectory and
Trends screens at 120×36, as SVG.

The app runs headless on a deterministic database (each sample suite run on demo:keyword and
demo:rules by the real engine, then frozen: fixed run ids, times and latencies; support-intent
again on three later days, for its trends), so the SVGs only change when the screens do.

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

from tests.tui.frozen import demo_database, freeze_run
from textual.pilot import Pilot

from evaltui.config import Config
from evaltui.engine import Runner, RunOptions, prepare
from evaltui.store import Store
from evaltui.suites import load_suite, parse_model_spec
from evaltui.tui.app import EvaltuiApp, make_app
from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.launch import LaunchScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.runs import RunsScreen
from evaltui.tui.screens.suites import SuitesScreen
from evaltui.tui.screens.trends import TrendsScreen

ROOT = Path(__file__).resolve().parents[1]
SIZE = (120, 36)
OUT = ROOT / "docs" / "screenshots"
SUITES = Path("sample_suites")  # relative, so the suite paths on screen do not name this machine
MODELS = ("demo:keyword", "demo:rules")
SHOWN_SUITE = "support_intent"
AGENT_SUITE, AGENT_CASE = "trip_assistant", "weather-paris"  # a case that called a tool, then answered
LATER_DAYS = 3  # support-intent runs again on each of these days, for the Trends screen


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


async def take(app: EvaltuiApp, run_id: str, agent_run: str) -> None:
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
        await pilot.press("escape")
        app.open_case(agent_run, AGENT_CASE)
        await until(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown is not None)
        app.screen.query_one("#trajectory").scroll_visible(top=True, animate=False)
        await until(pilot, lambda: True)
        shot(app, "trajectory")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SuitesScreen))
        app.screen.select_suite("support-intent")
        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, TrendsScreen) and app.screen.is_mounted)
        shot(app, "trends")


async def fresh_run(db: Path, suite_file: Path, model: str) -> str:
    """A run that asks the model again (no cache), as a later day's run would."""
    with Store(db) as store:
        options = RunOptions(concurrency=4, label="demo", use_cache=False)
        return await Runner(store, prepare(load_suite(suite_file)), parse_model_spec(model), options).run()


def main() -> None:
    os.environ["EVALTUI_CONFIG"] = str(Path(tempfile.mkdtemp()) / "config.yaml")  # not the user's theme
    os.chdir(ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    db = Path(tempfile.mkdtemp()) / "screenshots.db"
    files = sorted(SUITES.glob("*.yaml"))
    run_ids = demo_database(db, files, MODELS)
    stems = [f.stem for f in files]
    shown = run_ids[stems.index(SHOWN_SUITE) * len(MODELS)]
    agent_run = run_ids[stems.index(AGENT_SUITE) * len(MODELS)]
    for day in range(2, 2 + LATER_DAYS):
        for index, model in enumerate(MODELS):
            run_id = asyncio.run(fresh_run(db, SUITES / f"{SHOWN_SUITE}.yaml", model))
            freeze_run(db, run_id, f"202601{day:02d}-120000-{index:06x}", f"2026-01-{day:02d}T12:00:00+00:00")
    app = make_app(Config(db_path=db, theme="evaltui-dark"), db, [SUITES])
    app.animation_level = "none"
    asyncio.run(take(app, shown, agent_run))


if __name__ == "__main__":
    main()
