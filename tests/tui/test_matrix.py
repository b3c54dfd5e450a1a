"""The Matrix screen on a real three-model launch (offline demo models sharing one run group):
verdicts per model, the per-model figures, the "models disagree" filter, and enter → diff."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from textual.pilot import Pilot

import evaltui.format as fmt
from evaltui.analysis.metrics import run_metrics
from evaltui.engine import RunOptions, prepare
from evaltui.engine.runner import run_many
from evaltui.store import Store
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec
from evaltui.tui.app import EvaltuiApp
from evaltui.tui.screens.diff import DiffScreen
from evaltui.tui.screens.matrix import MatrixScreen, MatrixTable
from evaltui.tui.screens.run import RunScreen
from tests.tui.conftest import (
    AppFactory,
    open_palette,
    palette_choose,
    palette_hits,
    screen_text,
    table_lines,
    wait_until,
)

MODELS = ("echo", "keyword", "rules")  # on the echo suite: echo passes 8 of 12, the others none


@pytest.fixture
def group(db_path: Path, suite_dir: Path) -> tuple[str, list[str]]:
    """One launch of the echo suite on three demo models, through the real engine."""
    suite = load_suite(suite_dir / "echo.yaml")
    specs = [ModelSpec(provider="demo", model=m, params={"latency_ms": 0}) for m in MODELS]
    with Store(db_path) as store:
        run_ids = asyncio.run(run_many(store, prepare(suite), specs, RunOptions(concurrency=4)))
        group_id = store.get_run(run_ids[0]).group_id
    return group_id, run_ids


async def open_matrix(pilot: Pilot, group_id: str) -> MatrixScreen:
    app: EvaltuiApp = pilot.app  # type: ignore[assignment]
    await wait_until(pilot, lambda: len(app.screen_stack) > 1)
    app.open_matrix(group_id)
    await wait_until(pilot, lambda: isinstance(app.screen, MatrixScreen) and bool(app.screen.models))
    screen = app.screen
    assert isinstance(screen, MatrixScreen)
    table = screen.query_one(MatrixTable)
    await wait_until(pilot, lambda: table.total > 0 and "…" not in table_lines(table)[1])
    return screen


async def test_matrix_shows_each_models_verdict_and_figures(
    make_tui: AppFactory, db_path: Path, group: tuple[str, list[str]]
) -> None:
    group_id, run_ids = group
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot, group_id)
        header = screen_text(screen.query_one("#matrix-models"))
        with Store(db_path) as store:
            for run_id in run_ids:
                rate = run_metrics(store.iter_metric_rows(run_id)).rate
                assert fmt.rate(rate.pass_rate, rate.lo, rate.hi) in header
        assert [m.run.model_id for m in screen.models] == [f"demo:{m}" for m in MODELS]
        lines = table_lines(screen.query_one(MatrixTable))
        assert lines[1].split()[:4] == ["q01", "✓", "✗", "✗"]  # echo passes, the others fail
        assert lines[3].split()[:4] == ["q03", "✗", "✗", "✗"]  # every third case fails for all
        assert screen.query_one(MatrixTable).total == 12


async def test_disagree_filter_keeps_only_split_cases(
    make_tui: AppFactory, group: tuple[str, list[str]]
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot, group[0])
        table = screen.query_one(MatrixTable)
        await pilot.press("d")
        await wait_until(pilot, lambda: table.total == 8 and "…" not in table_lines(table)[1])
        rows = [line.split() for line in table_lines(table)[1:9]]
        assert all(row[1:4] == ["✓", "✗", "✗"] for row in rows)
        assert "q03" not in {row[0] for row in rows}
        assert "models disagree 8" in screen_text(screen.query_one("#matrix-filters"))
        await pilot.press("d")
        await wait_until(pilot, lambda: table.total == 12)


async def test_enter_diffs_the_chosen_two_models(make_tui: AppFactory, group: tuple[str, list[str]]) -> None:
    _, run_ids = group
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_matrix(pilot, group[0])
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.shown is not None)
        diff = app.screen
        assert isinstance(diff, DiffScreen)
        assert (diff.run_a, diff.run_b, diff.case_id) == (run_ids[0], run_ids[1], "q01")
        assert "demo:echo" in screen_text(diff.query_one("#diff-titles"))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MatrixScreen))
        await pilot.press("b")  # B moves from keyword to rules
        assert "B 3" in screen_text(app.screen.query_one("#matrix-models"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.shown is not None)
        assert (app.screen.run_a, app.screen.run_b) == (run_ids[0], run_ids[2])
        assert "demo:rules" in screen_text(app.screen.query_one("#diff-titles"))


@pytest.mark.parametrize("how", ["key m", "palette"])
async def test_m_or_the_palette_on_a_run_of_the_launch_opens_its_matrix(
    make_tui: AppFactory, group: tuple[str, list[str]], how: str
) -> None:
    group_id, run_ids = group
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        app.open_run(run_ids[1])
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.run.suite_id != "")
        if how == "key m":
            await pilot.press("m")
        else:
            await open_palette(pilot)  # listed before anything is typed
            await wait_until(pilot, lambda: "Open the matrix of this launch" in palette_hits(app))
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
            await palette_choose(pilot, "matrix", "Open the matrix of this launch")
        await wait_until(pilot, lambda: isinstance(app.screen, MatrixScreen))
        assert app.screen.group_id == group_id


async def test_the_matrix_orders_models_by_id_whichever_run_started_first(
    make_tui: AppFactory, db_path: Path, group: tuple[str, list[str]]
) -> None:
    """The runs of a launch start together, each on its own thread: the last model's run may reach
    the database first. The columns do not follow that race."""
    group_id, run_ids = group
    with sqlite3.connect(db_path) as conn:  # the last model's run started first, the first's last
        for offset, run_id in enumerate(reversed(run_ids)):
            conn.execute(
                "UPDATE runs SET started_at = ? WHERE id = ?", (f"2026-01-01T00:00:0{offset}+00:00", run_id)
            )
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot, group_id)
        assert [m.run.model_id for m in screen.models] == [f"demo:{m}" for m in MODELS]
