"""Widget styles are read while the home screen shows, so opening the Run and Case screens later
(typically mid-run) parses no stylesheet on the event loop."""

from __future__ import annotations

from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.widgets.result_table import ResultTable
from tests.tui.conftest import AppFactory, suites_loaded, wait_until


async def test_opening_the_run_and_case_screens_reads_no_new_styles(
    make_tui: AppFactory, echo_run: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        read = lambda: {name for _, name in app.stylesheet.source}  # noqa: E731
        await wait_until(pilot, lambda: {"PagedTable.DEFAULT_CSS", "Input.DEFAULT_CSS"} <= read())
        await app.workers.wait_for_complete()
        await pilot.pause()
        read_at_startup = read()
        app.open_run(echo_run)
        shown = lambda: [table.total for table in app.screen.query(ResultTable)]  # noqa: E731
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and shown() == [12])
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert read() == read_at_startup
