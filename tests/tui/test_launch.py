"""The Launch dialog's epochs field and no-cache switch: passed to the run, and a bad value is an
inline error in the dialog (never a crash, never a run)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import Input, Static, Switch

from evaltui.store import Store
from evaltui.suites.models import MAX_EPOCHS
from evaltui.tui.app import EvaltuiApp
from evaltui.tui.screens.launch import LaunchScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.widgets.result_table import ResultTable
from tests.tui.conftest import AppFactory, screen_text, suites_loaded, table_lines, wait_until


async def open_launch(pilot) -> LaunchScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: suites_loaded(app))
    app.screen.select_suite("echo-check")
    await pilot.press("r")
    await wait_until(pilot, lambda: isinstance(app.screen, LaunchScreen))
    return app.screen  # type: ignore[no-any-return]


async def type_into(pilot, field: Input, text: str) -> None:  # type: ignore[no-untyped-def]
    field.focus()
    await pilot.pause()
    field.value = ""
    await pilot.press(*text)


def error_shown(app: EvaltuiApp) -> str:
    return screen_text(app.screen.query_one("#launch-error", Static))


@pytest.mark.parametrize(
    ("typed", "said"),
    [("0", "'0'"), (str(MAX_EPOCHS + 1), f"1 to {MAX_EPOCHS}"), ("-2", "'-2'")],
)
async def test_a_bad_epochs_value_is_an_inline_error(
    make_tui: AppFactory, db_path: Path, typed: str, said: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_launch(pilot)
        await type_into(pilot, screen.query_one("#epochs", Input), typed)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Epochs" in error_shown(app))
        assert said in error_shown(app)
        assert app.screen is screen and not app.live
    with Store(db_path) as store:
        assert store.count_runs() == 0


async def test_epochs_and_no_cache_go_to_the_run(make_tui: AppFactory, echo_run: str, db_path: Path) -> None:
    """The echo suite ran once already, so every answer is in the cache: with the switch on, none
    of the new run's answers comes from it."""
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_launch(pilot)
        switch = screen.query_one("#no-cache", Switch)
        assert switch.value is False
        switch.focus()
        await pilot.press("space")
        assert switch.value is True
        await type_into(pilot, screen.query_one("#epochs", Input), "2")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.run_id != echo_run)
        run_id = app.screen.run_id
        table = app.screen.query_one(ResultTable)
        await wait_until(pilot, lambda: not app.live and table.total == 24, steps=1200)
        assert not any("cached" in line for line in table_lines(table))
    with Store(db_path) as store:
        run = store.get_run(run_id)
        assert (run.total, run.epochs, run.options["use_cache"]) == (24, 2, False)
        assert not any(row.cached for row in store.iter_results(run_id))


async def test_the_dialog_estimates_each_models_cost_and_time(
    make_tui: AppFactory, echo_run: str, db_path: Path
) -> None:
    """The echo suite ran once: its answers give the time; prompt tokens are characters / 4."""
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_launch(pilot)
        shown = lambda: screen_text(screen.query_one("#launch-estimate", Static))  # noqa: E731
        await wait_until(pilot, lambda: "Estimate" in shown())
        assert "prompt tokens (estimate: characters / 4)" in shown()
        assert "time ?" not in shown().split(";")[0], "an earlier run gives the time"
        whole = prompt_tokens(shown())
        await type_into(pilot, screen.query_one("#limit", Input), "1")
        await wait_until(pilot, lambda: prompt_tokens(shown()) < whole)  # the estimate follows the fields


def prompt_tokens(text: str) -> int:
    found = re.search(r"([\d,]+) prompt tokens", text)
    return int(found.group(1).replace(",", "")) if found else -1


async def test_space_toggles_a_model_as_soon_as_the_dialog_opens(make_tui: AppFactory) -> None:
    """ "Models (space toggles…)": the list has the focus when the dialog opens, so the first space
    toggles the highlighted model (it went to the dialog's scroll area, and did nothing)."""
    from textual.widgets import SelectionList

    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_launch(pilot)
        models = screen.query_one("#models", SelectionList)
        await wait_until(pilot, lambda: models.selected == ["demo:echo"])
        await pilot.press("space")
        await wait_until(pilot, lambda: models.selected == [])


async def test_the_launch_error_scrolls_into_view_in_a_small_terminal(
    make_tui: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80x24 the dialog scrolls and its error line sat below the fold: enter on a model spec
    whose API key is not set seemed to do nothing. The error is scrolled into view."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_launch(pilot)
        await type_into(pilot, screen.query_one("#spec", Input), "openai:gpt-4o-mini")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "OPENAI_API_KEY" in error_shown(app))
        error = screen.query_one("#launch-error", Static)

        def on_screen() -> bool:
            geometry = screen.find_widget(error)
            return geometry.region.intersection(geometry.clip).height > 0

        await wait_until(pilot, on_screen)
