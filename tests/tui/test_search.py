"""Search on the Run screen and filter on the Runs screen: escape clears a submitted search before
it leaves the screen, and a new `/` search replaces the old text."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input

from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.runs import RunsScreen
from evaltui.tui.widgets.result_table import ResultTable
from tests.tui.conftest import AppFactory, table_lines, wait_until


async def open_run(pilot: Any, run_id: str) -> ResultTable:
    app = pilot.app
    await wait_until(pilot, lambda: len(app.screen_stack) > 1)
    app.open_run(run_id)
    await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and bool(app.screen.query(ResultTable)))
    table = app.screen.query_one(ResultTable)
    await wait_until(pilot, lambda: table.total == 12)
    return table


async def test_escape_clears_a_submitted_search_then_leaves(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_run(pilot, echo_run)
        await pilot.press("slash", *"answer 1", "enter")
        await wait_until(pilot, lambda: table.total == 4)  # answer 1, 10, 11, 12
        await pilot.press("escape")
        await wait_until(pilot, lambda: table.total == 12)
        assert isinstance(app.screen, RunScreen)
        assert app.screen.query_one("#search", Input).value == ""
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RunScreen))


async def test_a_new_search_replaces_the_old_text(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_run(pilot, echo_run)
        await pilot.press("slash", *"answer 1", "enter")
        await wait_until(pilot, lambda: table.total == 4)
        await pilot.press("slash", *"answer 2", "enter")
        await wait_until(pilot, lambda: table.total == 1 and "q02" in table_lines(table)[1])
        assert app.screen.query_one("#search", Input).value == "answer 2"


async def test_escape_clears_a_submitted_runs_filter_then_leaves(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen) and len(app.screen.runs) == 1)
        screen = app.screen
        await pilot.press("slash", *"status:running", "enter")
        await wait_until(pilot, lambda: not screen.runs)
        await pilot.press("slash", *"suite:echo-check", "enter")  # replaces status:running
        await wait_until(pilot, lambda: len(screen.runs) == 1)
        assert screen.query_one("#runs-filter", Input).value == "suite:echo-check"
        await pilot.press("slash", *"status:running", "enter", "escape")
        await wait_until(pilot, lambda: len(screen.runs) == 1 and not screen.filters)
        assert app.screen is screen and screen.query_one("#runs-filter", Input).value == ""
        assert screen.query_one("#runs", DataTable).row_count == 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not screen)
