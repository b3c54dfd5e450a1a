"""A screen whose background work fails says so in a notification and the app stays up."""

from __future__ import annotations

import sqlite3

from evaltui.tui.screens.runs import RunsScreen
from tests.tui.conftest import AppFactory, record_notifications, wait_until


async def test_a_failing_database_read_on_a_screen_is_a_notification_not_an_exit(
    make_tui: AppFactory, db_path, echo_run: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(100, 30)) as pilot:
        notes = record_notifications(app)
        with sqlite3.connect(db_path) as conn:  # another process breaks the file under the app
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute("DROP TABLE runs")
        await pilot.press("R")
        await wait_until(pilot, lambda: any("run" in n.lower() for n in notes))
        assert isinstance(app.screen, RunsScreen)
        assert app.is_running
