"""The inline word diff reads without colour: with NO_COLOR (or a 16-colour theme) changes carry
git's `[-old-]{+new+}` markers, and a deleted word never runs into the inserted one."""

from __future__ import annotations

from typing import Any

import pytest

from evaltui.tui.screens.case import CaseScreen
from tests.tui.conftest import AppFactory, screen_text, wait_until


async def open_case(pilot: Any, run_id: str, case_id: str) -> str:
    app = pilot.app
    await wait_until(pilot, lambda: len(app.screen_stack) > 1)
    app.open_case(run_id, case_id)
    await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen) and bool(app.screen.query("#diff")))
    await wait_until(pilot, lambda: case_id in screen_text(app.screen.query_one("#case-header")))
    return screen_text(app.screen.query_one("#diff"))


async def test_case_diff_shows_word_diff_markers_when_colour_is_off(
    make_tui: AppFactory, echo_run: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        diff = await open_case(pilot, echo_run, "q03")  # expected "other 3", output "answer 3"
        assert "[-other-] {+answer+} 3" in diff
        assert "[-…-] expected but missing" in diff


async def test_case_diff_in_colour_keeps_a_space_between_deleted_and_inserted(
    make_tui: AppFactory, echo_run: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        diff = await open_case(pilot, echo_run, "q03")
        assert diff.startswith("other answer 3")
        assert "[-" not in diff


async def test_case_diff_shows_word_diff_markers_under_the_16_colour_theme(
    make_tui: AppFactory, echo_run: str
) -> None:
    app = make_tui(theme="evaltui-ansi")
    async with app.run_test(size=(80, 24)) as pilot:
        diff = await open_case(pilot, echo_run, "q03")
        assert "[-other-] {+answer+} 3" in diff


async def test_switching_to_the_16_colour_theme_marks_the_open_case_diff(
    make_tui: AppFactory, echo_run: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        assert "[-" not in await open_case(pilot, echo_run, "q03")
        app.theme = "evaltui-ansi"
        await wait_until(pilot, lambda: "[-other-]" in screen_text(app.screen.query_one("#diff")))
