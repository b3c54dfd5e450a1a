"""A 100,000-result run pages from the store; hostile model output shows inert on every screen."""

from __future__ import annotations

from pathlib import Path

from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.widgets.result_table import PAGE_SIZE, ResultTable
from tests.tui.conftest import AppFactory, screen_text, table_lines, wait_until
from tests.tui.test_journeys import open_run

ESCAPES = ("\x1b", "\x07", "\x00", "\u202e", "\x9b")


async def test_a_100k_result_run_opens_pages_and_filters(
    make_tui: AppFactory, big_db: tuple[Path, str]
) -> None:
    path, run_id = big_db
    app = make_tui(db=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, run_id)
        table = app.screen.query_one(ResultTable)
        await wait_until(pilot, lambda: table.total == 100_000 and "case-000000" in table_lines(table)[1])
        await pilot.press("end")
        await wait_until(pilot, lambda: "case-099999" in table_lines(table)[-1])
        await pilot.press("pageup")
        await wait_until(pilot, lambda: "…" not in "".join(table_lines(table)[1:]))
        await pilot.press("e")
        await wait_until(pilot, lambda: table.total == 2_000 and "case-000000" in table_lines(table)[1])
        await pilot.press("f")
        await wait_until(pilot, lambda: table.total == 8_000)
        # only the pages looked at were ever read: never the whole run
        assert table.total > 10 * PAGE_SIZE


async def test_hostile_output_is_inert_on_the_run_and_case_screens(
    make_tui: AppFactory, hostile_run: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, hostile_run)
        table = app.screen.query_one(ResultTable)
        await wait_until(pilot, lambda: table.total == 6 and "click" in "".join(table_lines(table)))
        painted = "\n".join(table_lines(table))
        assert "[@click=app.quit]quit[/]" in painted
        assert "␛" in painted and not any(char in painted for char in ESCAPES)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.case_id == "click")
        await wait_until(
            pilot, lambda: "[@click=app.quit]quit[/]" in screen_text(app.screen.query_one("#output"))
        )
        for _ in range(5):
            await pilot.press("n")
            await pilot.pause(0.2)
            output = screen_text(app.screen.query_one("#output"))
            assert not any(char in output for char in ESCAPES)
        await wait_until(pilot, lambda: app.screen.case_id == "huge")
        output = screen_text(app.screen.query_one("#output"))
        assert "more characters on this line" in output and len(output) < 10_000
        await pilot.press("escape")
        assert isinstance(app.screen, RunScreen) and app.is_running
