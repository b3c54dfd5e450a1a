"""The Run screen's header after a live run ends shows the finished run's latency and interval."""

from __future__ import annotations

import asyncio
import re

from evaltui.tui.screens.launch import LaunchScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.widgets.run_header import RunHeader
from tests.tui.conftest import AppFactory, record_notifications, screen_text, wait_until
from tests.tui.test_journeys import highlight_suite


async def test_a_run_launched_here_shows_its_latency_once_finished(make_tui: AppFactory) -> None:
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await highlight_suite(pilot, "echo-check")
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LaunchScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
        await wait_until(pilot, lambda: any("completed" in note for note in notes))
        await app.workers.wait_for_complete()
        await asyncio.sleep(0.3)  # every worker the finish started has painted
        await pilot.pause()
        header = screen_text(app.screen.query_one(RunHeader))
        assert "completed" in header
        assert re.search(r"p50 \d+ ?ms p95 \d+ ?ms", header), header
