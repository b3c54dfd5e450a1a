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


@pytest.mark.parametrize(
    ("no_color", "theme", "marked"),
    [(False, "evaltui-dark", False), (True, "evaltui-dark", True), (False, "evaltui-ansi", True)],
)
async def test_case_diff_is_marked_when_colour_cannot_tell_changes_apart(
    make_tui: AppFactory,
    echo_run: str,
    monkeypatch: pytest.MonkeyPatch,
    no_color: bool,
    theme: str,
    marked: bool,
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_tui(theme=theme)
    async with app.run_test(size=(80, 24)) as pilot:
        diff = await open_case(pilot, echo_run, "q03")  # expected "other 3", output "answer 3"
        if marked:
            assert diff.startswith("[-other-] {+answer+} 3")
            assert "[-…-] expected but missing" in diff
        else:  # in colour: struck and underlined, with a space between (not "otheranswer")
            assert diff.startswith("other answer 3")
            assert "[-" not in diff


async def test_switching_to_the_16_colour_theme_marks_the_open_case_diff(
    make_tui: AppFactory, echo_run: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        assert "[-" not in await open_case(pilot, echo_run, "q03")
        app.theme = "evaltui-ansi"
        await wait_until(pilot, lambda: "[-other-]" in screen_text(app.screen.query_one("#diff")))
