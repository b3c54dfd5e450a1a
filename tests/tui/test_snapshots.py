"""The look of the Launch (over Suites), Run, Case and Runs screens at 80×24 and 160×48, on frozen runs
(fixed ids, times and latencies) and suite folders named relative to a fixed working directory.
Update after an intended change with `pytest tests/tui --snapshot-update`."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from evaltui.suites import parse_model_spec
from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.launch import LaunchScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.runs import RunsScreen
from evaltui.tui.widgets.result_table import ResultTable
from tests.tui.conftest import AppFactory, screen_text, suites_loaded, wait_until
from tests.tui.frozen import freeze_run, run_suite

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


@pytest.fixture
def frozen_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_path: Path, suite_dir: Path, echo_run: str
) -> list[Path]:
    """Suites listed as `suites/…` (the tmp dir is the working directory), with two frozen runs."""
    rules = run_suite(db_path, suite_dir / "echo.yaml", parse_model_spec("demo:rules"))
    freeze_run(db_path, rules, "20260101-120100-def456", "2026-01-01T12:01:00+00:00")
    monkeypatch.chdir(tmp_path)
    return [Path(suite_dir.name)]


async def suites_shown(pilot: Pilot) -> None:
    app = pilot.app
    await wait_until(
        pilot,
        lambda: suites_loaded(app),
    )
    app.screen.select_suite("echo-check")
    await app.workers.wait_for_complete()
    table = app.screen.query_one("#suites", DataTable)
    await wait_until(pilot, lambda: table.row_count == len(app.screen.entries))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_launch_screen_looks_right(snap_compare, make_tui: AppFactory, frozen_home: list[Path], size) -> None:  # type: ignore[no-untyped-def]
    async def open_launch(pilot: Pilot) -> None:
        await suites_shown(pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, LaunchScreen))
        # settled: the modal has taken focus, background work is done, and one more frame has painted
        await wait_until(pilot, lambda: pilot.app.screen.focused is not None)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)

    assert snap_compare(make_tui(dirs=frozen_home), terminal_size=size, run_before=open_launch)


@pytest.mark.parametrize("size", SIZES)
def test_runs_screen_looks_right(snap_compare, make_tui: AppFactory, frozen_home: list[Path], size) -> None:  # type: ignore[no-untyped-def]
    async def open_runs(pilot: Pilot) -> None:
        await suites_shown(pilot)
        await pilot.press("R")
        await wait_until(
            pilot, lambda: isinstance(pilot.app.screen, RunsScreen) and len(pilot.app.screen.runs) == 2
        )
        await pilot.pause()

    assert snap_compare(make_tui(dirs=frozen_home), terminal_size=size, run_before=open_runs)


@pytest.mark.parametrize("size", SIZES)
def test_suites_screen_looks_right(snap_compare, make_tui: AppFactory, frozen_home: list[Path], size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_tui(dirs=frozen_home), terminal_size=size, run_before=suites_shown)
