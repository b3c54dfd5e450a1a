"""At 80 columns the Runs list shows every column but the label, made compact when they do not fit
in full (never by leaving the model out), and at any width every column that fits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable
from textual.widgets._toast import Toast

from evaltui.suites.models import ModelSpec
from evaltui.tui.screens.runs import RunsScreen
from tests.tui.conftest import ECHO_SUITE, AppFactory, freeze_run, palette_choose, run_suite, wait_until

# A model id as long as a local model's, with what Rich would read as markup: shown as it is.
LONG_MODEL = "[b]qwen2.5-7b-instruct[/b]-q4_k_m"


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
    assert header.split()[-4:] == ["pass", "rate", "done", "label"]  # short names leave room for labels
    assert row.split()[-2:] == ["66.7%", "12/12"]
    assert echo_run[-6:] in row and len(header) <= 80


@pytest.fixture
def long_names_run(db_path: Path, tmp_path: Path) -> str:
    """A run of a suite and a model whose names are as long as real ones."""
    suite_file = tmp_path / "long.yaml"
    suite_file.write_text(ECHO_SUITE.replace("echo-check", "support-intent-classification"), "utf-8")
    model = ModelSpec(id=LONG_MODEL, provider="demo", model="echo")
    return freeze_run(db_path, run_suite(db_path, suite_file, model))


async def test_at_80_columns_long_names_leave_no_column_but_the_label_out(
    make_tui: AppFactory, long_names_run: str
) -> None:
    header, row = await runs_lines(make_tui(), (80, 24))
    assert header.split() == ["started", "run", "suite", "model", "status", "pass", "rate", "done"]
    assert row.split()[:3] == ["01-01", "12:00", "…abc123"]  # started to the minute, the id's tail
    assert "support-inte" in row and "[b]qwen2.5-" in row  # both names cut to share the room, no markup
    assert row.split()[-3:] == ["✓", "66.7%", "12/12"]  # completed, as a mark
    assert len(row) <= 80


async def test_at_120_columns_long_names_are_cut_before_a_row_is_made_compact(
    make_tui: AppFactory, long_names_run: str
) -> None:
    header, row = await runs_lines(make_tui(), (120, 24))
    assert header.split()[:8] == ["started", "run", "suite", "model", "status", "pass", "rate", "done"]
    assert row.split()[:3] == ["2026-01-01", "12:00:00", long_names_run]  # in full
    assert "[b]qwen2.5-7b-" in row and "…" in row and row.split()[-3:] == ["completed", "66.7%", "12/12"]


async def test_the_run_id_tail_a_compact_row_shows_finds_the_run_in_the_palette(
    make_tui: AppFactory, long_names_run: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        await palette_choose(pilot, long_names_run[-6:], f"Run {long_names_run}")
        await wait_until(pilot, lambda: getattr(app.screen, "run_id", None) == long_names_run)


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
