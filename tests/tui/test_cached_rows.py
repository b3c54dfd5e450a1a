"""Answers replayed from the response cache are marked where results are shown: the Run screen's
table and the Case screen's header, at 80 columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.widgets.result_table import ResultTable
from tests.tui.conftest import AppFactory, run_suite, screen_text, table_lines, wait_until


@pytest.fixture
def fresh_and_cached(db_path: Path, suite_dir: Path) -> tuple[str, str]:
    """The echo suite run twice: the second run's answers all come from the cache."""
    return run_suite(db_path, suite_dir / "echo.yaml"), run_suite(db_path, suite_dir / "echo.yaml")


async def rows_and_case_header(pilot: Pilot, run_id: str) -> tuple[list[str], str]:
    """The Run screen's first twelve rows, then the Case screen's header for the first row."""
    app = pilot.app
    app.open_run(run_id)  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and bool(app.screen.query(ResultTable)))
    table = app.screen.query_one(ResultTable)
    await wait_until(pilot, lambda: "q01" in "".join(table_lines(table)))
    rows = table_lines(table)[1:13]
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen) and bool(app.screen.query("#diff")))
    header = app.screen.query_one("#case-header")
    await wait_until(pilot, lambda: "q01" in screen_text(header))
    text = screen_text(header)
    await pilot.press("q", "q")
    return rows, text


async def test_a_rerun_answered_from_the_cache_is_marked_cached(
    make_tui: AppFactory, fresh_and_cached: tuple[str, str]
) -> None:
    fresh, again = fresh_and_cached
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        rows, header = await rows_and_case_header(pilot, fresh)
        assert not any(row.rstrip().endswith("cached") for row in rows)
        assert header.splitlines()[1].startswith("latency ")
        rows, header = await rows_and_case_header(pilot, again)
        assert all(row.rstrip().endswith("cached") for row in rows), rows
        line = header.splitlines()[1]
        assert line.startswith("cached answer (when first asked: latency "), line
        assert ", cost " in line, line  # what it cost then, not spent by this run
