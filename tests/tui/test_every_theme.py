"""Every shipped theme opens every screen: the 16-colour theme the README recommends once crashed at
start-up on a variable Textual's own ANSI themes define and ours did not (`$ansi-background`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES as TEXTUAL_THEMES

from evaltui.engine import RunOptions, prepare
from evaltui.engine.runner import run_many
from evaltui.store import Store
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec
from evaltui.tui.app import EvaltuiApp
from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.compare import CompareScreen
from evaltui.tui.screens.diff import DiffScreen
from evaltui.tui.screens.help import HelpScreen
from evaltui.tui.screens.launch import LaunchScreen
from evaltui.tui.screens.matrix import MatrixScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.runs import RunsScreen
from evaltui.tui.screens.suites import SuitesScreen
from evaltui.tui.themes import load_themes
from tests.tui.conftest import AppFactory, suites_loaded, wait_until

OURS = sorted(theme.name for theme in load_themes().themes)  # built in code, and themes/*.yaml


@pytest.fixture
def launch(db_path: Path, suite_dir: Path) -> tuple[str, str]:
    """One launch of the echo suite on two demo models: runs to open, compare, diff and matrix."""
    suite = load_suite(suite_dir / "echo.yaml")
    specs = [ModelSpec(provider="demo", model=m, params={"latency_ms": 0}) for m in ("echo", "keyword")]
    with Store(db_path) as store:
        run_ids = asyncio.run(run_many(store, prepare(suite), specs, RunOptions(concurrency=4)))
    return run_ids[0], run_ids[1]


async def settle(pilot: Pilot, kind: type[Screen[object]]) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, kind))
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_every_screen(pilot: Pilot, run_a: str, run_b: str) -> list[str]:
    """Opens each screen on top of the last, as a user would reach it; the screens' names in order."""
    app: EvaltuiApp = pilot.app  # type: ignore[assignment]
    await wait_until(pilot, lambda: suites_loaded(app))
    assert isinstance(app.screen, SuitesScreen)
    app.screen.select_suite("echo-check")
    await pilot.press("r")
    await settle(pilot, LaunchScreen)
    await pilot.press("escape")
    await settle(pilot, SuitesScreen)
    app.open_run(run_a)
    await settle(pilot, RunScreen)
    app.open_case(run_a, "q01")
    await settle(pilot, CaseScreen)
    await pilot.press("R")
    await settle(pilot, RunsScreen)
    app.open_compare(run_a, run_b)
    await settle(pilot, CompareScreen)
    app.push_screen(DiffScreen(run_a, run_b, "q01"))
    await settle(pilot, DiffScreen)
    group = app.store.get_run(run_a).group_id
    app.open_matrix(group)
    await settle(pilot, MatrixScreen)
    await pilot.press("question_mark")
    await settle(pilot, HelpScreen)
    return [type(screen).__name__ for screen in app.screen_stack[1:]]


@pytest.mark.parametrize("theme", OURS)
async def test_every_screen_opens_under_every_shipped_theme(
    make_tui: AppFactory, launch: tuple[str, str], theme: str
) -> None:
    app = make_tui(theme=theme)
    async with app.run_test(size=(100, 30)) as pilot:
        opened = await open_every_screen(pilot, *launch)
        assert app.theme == theme  # not a fallback to the default
    assert opened == [
        "SuitesScreen",
        "RunScreen",
        "CaseScreen",
        "RunsScreen",
        "CompareScreen",
        "DiffScreen",
        "MatrixScreen",
        "HelpScreen",
    ]
    assert app.return_code in (None, 0)


async def test_textuals_own_themes_restyle_every_screen(
    make_tui: AppFactory, launch: tuple[str, str]
) -> None:
    """ctrl+t offers Textual's themes too: switching to each with every screen open re-reads every
    stylesheet the screens use against its variables."""
    app = make_tui()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_every_screen(pilot, *launch)
        for name in TEXTUAL_THEMES:
            app.theme = name
            await pilot.pause()
            assert app.current_theme.name == name
    assert app.return_code in (None, 0)
