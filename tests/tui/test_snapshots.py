"""The look of the Run and Case screens at 80×24 and 160×48, on a frozen run (fixed id, times
and latencies). Update after an intended change with `pytest tests/tui --snapshot-update`."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.widgets.result_table import ResultTable
from tests.tui.conftest import AppFactory, screen_text, wait_until

SIZES = [(80, 24), (160, 48)]


@pytest.mark.parametrize("size", SIZES)
def test_run_screen_looks_right(snap_compare, make_tui: AppFactory, echo_run: str, size) -> None:  # type: ignore[no-untyped-def]
    async def open_run(pilot: Pilot) -> None:
        await wait_until(pilot, lambda: len(pilot.app.screen_stack) > 1)
        pilot.app.open_run(echo_run)
        await wait_until(
            pilot,
            lambda: isinstance(pilot.app.screen, RunScreen) and bool(pilot.app.screen.query(ResultTable)),
        )
        await wait_until(pilot, lambda: "p50 –" not in screen_text(pilot.app.screen.query_one("#run-header")))
        await pilot.app.workers.wait_for_complete()

    assert snap_compare(make_tui(), terminal_size=size, run_before=open_run)


@pytest.mark.parametrize("size", SIZES)
def test_case_screen_looks_right(snap_compare, make_tui: AppFactory, echo_run: str, size) -> None:  # type: ignore[no-untyped-def]
    async def open_case(pilot: Pilot) -> None:
        await wait_until(pilot, lambda: len(pilot.app.screen_stack) > 1)
        pilot.app.open_case(echo_run, "q03")
        await wait_until(
            pilot,
            lambda: isinstance(pilot.app.screen, CaseScreen) and bool(pilot.app.screen.query("#case-header")),
        )
        await wait_until(pilot, lambda: "FAIL q03" in screen_text(pilot.app.screen.query_one("#case-header")))
        await pilot.app.workers.wait_for_complete()

    assert snap_compare(make_tui(), terminal_size=size, run_before=open_case)
