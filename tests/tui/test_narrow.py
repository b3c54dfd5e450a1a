"""At 80 columns the Runs list keeps each run's pass rate and progress (other columns go first),
and at any width it shows every column that fits."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable
from textual.widgets._toast import Toast

from evaltui.tui.screens.runs import RunsScreen
from tests.tui.conftest import AppFactory, wait_until


async def runs_lines(app: Any, size: tuple[int, int]) -> list[str]:
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen) and len(app.screen.runs) == 1)
        table = app.screen.query_one("#runs", DataTable)
        lines = lambda: [table.render_line(y).text.rstrip() for y in range(2)]  # noqa: E731
        await wait_until(pilot, lambda: table.row_count == 1 and bool(lines()[1]))  # painted, even under load
        return lines()


async def test_at_80_columns_the_runs_list_shows_pass_rate_and_progress(
    make_tui: AppFactory, echo_run: str
) -> None:
    header, row = await runs_lines(make_tui(), (80, 24))
    assert header.split()[-3:] == ["pass", "rate", "done"]
    assert row.split()[-2:] == ["66.7%", "12/12"]
    assert echo_run in row and len(header) <= 80


async def test_a_wide_terminal_shows_every_column_of_the_runs_list(
    make_tui: AppFactory, echo_run: str
) -> None:
    header, row = await runs_lines(make_tui(), (160, 24))
    assert header.split() == ["started", "run", "suite", "model", "status", "pass", "rate", "done", "label"]
    assert "echo-check" in row and "demo:echo" in row and "66.7%" in row


async def test_at_80_columns_a_notification_covers_two_rows_at_the_side(make_tui: AppFactory) -> None:
    app = make_tui()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        app.notify("Marked A 20260101-120000-abc123: mark one more to compare.", title="Runs", markup=False)
        await wait_until(pilot, lambda: any(toast.region.height for toast in app.screen.query(Toast)))
        toast = app.screen.query_one(Toast).region
        assert toast.height <= 3 and toast.width <= 40 and toast.right >= 76  # title, message
        assert toast.bottom <= 23  # the footer stays readable
