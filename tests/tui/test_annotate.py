"""Annotating from the TUI: `l` labels and `N` notes a case on the Case and Compare screens; the
label shows in the Run screen's table, filters it, survives a restart, and hints on the same case
in a later run of the suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, TextArea

from evaltui.store import Store
from evaltui.tui.screens.annotate import LabelScreen, NoteScreen
from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.compare import CompareScreen, CompareTable
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.widgets.result_table import ResultTable
from tests.tui.conftest import AppFactory, run_suite, screen_text, suites_loaded, table_lines, wait_until


@pytest.fixture
def later_run(echo_run: str, db_path: Path, suite_dir: Path) -> str:
    """A second run of the echo suite, started after `echo_run`, with a label left on q09 before it."""
    with Store(db_path) as store:
        store.annotate(echo_run, "q09", label="flaky", note="sometimes", author="ada")
    return run_suite(db_path, suite_dir / "echo.yaml")


async def open_case(pilot, run_id: str, case_id: str) -> CaseScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: suites_loaded(app))
    app.open_run(run_id)
    await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
    app.open_case(run_id, case_id)
    await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown is not None)
    return app.screen


async def test_l_labels_a_case_and_the_run_table_shows_and_filters_it(
    make_tui: AppFactory, echo_run: str, db_path: Path
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        case = await open_case(pilot, echo_run, "q03")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LabelScreen))
        options = app.screen.query_one(OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)][:2] == [
            "model-wrong",
            "expected-wrong",
        ]
        await pilot.press("down", "enter")  # expected-wrong
        await wait_until(pilot, lambda: "label expected-wrong" in screen_text(case.query_one("#case-header")))
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LabelScreen))
        app.screen.query_one(Input).focus()
        await pilot.press(*"needs-policy", "enter")  # a new label, typed
        await wait_until(pilot, lambda: "label needs-policy" in screen_text(case.query_one("#case-header")))
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
        table = app.screen.query_one(ResultTable)
        await wait_until(pilot, lambda: any("needs-policy" in line for line in table_lines(table)))
        assert "label" in table_lines(table)[0]
        await pilot.press("slash", *"label:needs-policy", "enter")
        await wait_until(pilot, lambda: table.total == 1)
        assert "q03" in table_lines(table)[1]
    with Store(db_path) as store:
        assert [(a.label, bool(a.author)) for a in store.annotations(echo_run, "q03")] == [
            ("expected-wrong", True),
            ("needs-policy", True),
        ]


async def test_shift_n_keeps_a_multi_line_note_and_escape_drops_one(
    make_tui: AppFactory, echo_run: str, db_path: Path
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        case = await open_case(pilot, echo_run, "q06")
        await pilot.press("N")
        await wait_until(pilot, lambda: isinstance(app.screen, NoteScreen))
        await pilot.press(*"the [b]grader[/b] is right", "enter", *"second line")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: case.query_one("#notes").display)
        shown = screen_text(case.query_one("#notes"))
        assert "the [b]grader[/b] is right" in shown and "second line" in shown  # as written, not markup
        await pilot.press("N")
        await wait_until(pilot, lambda: isinstance(app.screen, NoteScreen))
        app.screen.query_one(TextArea).insert("not kept")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is case)
    with Store(db_path) as store:
        (note,) = store.annotations(echo_run, "q06")
    assert (note.label, note.note) == ("", "the [b]grader[/b] is right\nsecond line")


async def test_a_label_hints_on_the_same_case_in_a_later_run_after_a_restart(
    make_tui: AppFactory, echo_run: str, later_run: str
) -> None:
    later = later_run
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        case = await open_case(pilot, later, "q09")
        header = screen_text(case.query_one("#case-header"))
        assert "earlier: flaky" in header and echo_run in header and "ada" in header


async def test_l_on_compare_labels_the_highlighted_case_in_run_b(
    make_tui: AppFactory, echo_run: str, later_run: str, db_path: Path
) -> None:
    later = later_run
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        app.open_compare(echo_run, later)
        await wait_until(
            pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.comparison is not None
        )
        table = app.screen.query_one(CompareTable)
        await wait_until(pilot, lambda: table.total == 12 and table.highlighted is not None)
        case_id = table.highlighted.case_id
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LabelScreen))
        await pilot.press("enter")  # model-wrong
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
        await pilot.press("N")
        await wait_until(pilot, lambda: isinstance(app.screen, NoteScreen))
        await pilot.press(*"same answer twice", "ctrl+s")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: len(app.store.annotations(later, case_id)) == 2)
    with Store(db_path) as store:
        assert [(a.label, a.note) for a in store.annotations(later, case_id)] == [
            ("model-wrong", ""),
            ("", "same answer twice"),
        ]
        assert [a.case_id for a in store.annotations(echo_run)] == ["q09"]  # only the fixture's
