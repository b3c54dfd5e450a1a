"""Widget styles are read while the home screen shows, so opening the Run and Case screens later
(typically mid-run) parses no stylesheet on the event loop."""

from __future__ import annotations

import asyncio

from textual import events

from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.suites import SuitesScreen
from evaltui.tui.screens.trends import TrendsScreen
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


async def test_a_screen_opened_while_styles_are_read_keeps_the_keyboard(make_tui: AppFactory) -> None:
    """Reading the styles mounts a hidden widget of each kind for a moment. Mounted on whatever
    screen was on top, a screen opened meanwhile (T at once) that showed again (a dialog above it
    closed) gave its focus to the hidden Input or table, which was then removed: every key, q
    included, went to a widget no longer on screen, and q did nothing."""
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = TrendsScreen("echo-check")
        app.push_screen(screen)  # before the styles are read: the app has only just started
        started = False
        for _ in range(100_000):  # until the styles are read: one turn of the event loop at a time
            reading = [worker for worker in app.workers if worker.name == "Warming up"]
            started = started or bool(reading)
            if started and all(worker.is_finished for worker in reading):
                break
            screen.post_message(events.ScreenResume())  # shown again, as when a dialog above it closes
            await asyncio.sleep(0)
        assert started
        assert screen.focused is None  # nothing on Trends takes the keyboard
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, SuitesScreen))
