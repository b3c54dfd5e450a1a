"""The footer shows the keys that act where the focus is, repaints only when they change, and a
click on a key presses it."""

from __future__ import annotations

from typing import Any

from evaltui.tui.screens.run import RunScreen
from evaltui.tui.widgets.footer import KeysFooter
from evaltui.tui.widgets.result_table import ResultTable
from tests.tui.conftest import AppFactory, footer_descriptions, wait_until


def footer_keys(app: Any) -> list[Any]:
    return [key for footer in app.screen.query(KeysFooter) for key in footer.keys]


async def open_run(pilot: Any, run_id: str) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: len(app.screen_stack) > 1)
    app.open_run(run_id)
    await wait_until(
        pilot, lambda: isinstance(app.screen, RunScreen) and "Open case" in footer_descriptions(app)
    )


async def test_footer_follows_the_focus_between_table_and_search(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, echo_run)
        assert {"Open case", "Failures", "Search", "Back"} <= set(footer_descriptions(app))
        await pilot.press("slash")
        await wait_until(pilot, lambda: "Open case" not in footer_descriptions(app))
        await pilot.press("escape")
        await wait_until(pilot, lambda: "Open case" in footer_descriptions(app))


async def test_footer_keeps_its_keys_when_the_bindings_did_not_change(
    make_tui: AppFactory, echo_run: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, echo_run)
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        keys = footer.keys
        app.screen.refresh_bindings()
        app.screen.query_one(ResultTable).focus()  # focus moves to where it already is
        await pilot.pause()
        await pilot.pause()
        assert footer.keys is keys  # the same keys: not read again into a new list
        assert not footer.children  # one widget, not one per key


async def test_clicking_a_key_in_the_footer_presses_it(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, echo_run)
        footer = app.screen.query_one(KeysFooter)
        line = footer.render().plain
        await pilot.click(KeysFooter, offset=(line.index("Search"), 0))
        await wait_until(
            pilot, lambda: "Open case" not in footer_descriptions(app)
        )  # the search box has focus
        assert app.focused is not None and app.focused.id and "search" in app.focused.id


async def test_at_80_columns_the_footer_shows_whole_keys_only(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_run(pilot, echo_run)
        footer = app.screen.query_one(KeysFooter)
        await wait_until(pilot, lambda: "▏" in footer.render().plain)
        keys, palette = footer.render().plain.split("▏")
        shown = [key for key in footer.keys if f" {key.display} {key.description} " in keys]
        assert shown == footer.keys[: len(shown)] and len(shown) >= 4
        assert keys.rstrip() == "".join(f" {key.display} {key.description} " for key in shown).rstrip()
        assert palette.strip() == "^p palette"
