"""The Suites list says what is true of each suite: loads and runs, does not load, or loads but
cannot run (it fails where `evaltui validate` and a launch prepare it)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from tests.tui.conftest import AppFactory, screen_text, suites_loaded, wait_until

UNDEFINED_VARIABLE = """name: undefined-variable
prompt: "Hello {{ nosuch }} {{ input }}"
models: [demo:echo]
scorers: [{type: equals}]
cases:
  - {id: a, input: x, expected: x}
"""


async def test_a_suite_that_loads_but_cannot_run_is_marked_failing_with_its_error(
    make_tui: AppFactory, suite_dir: Path
) -> None:
    """It was listed with the healthy ● and no word of the error that stops every run of it."""
    (suite_dir / "undefined.yaml").write_text(UNDEFINED_VARIABLE, encoding="utf-8")
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        screen = app.screen
        index = next(i for i, e in enumerate(screen.entries) if e.path.name == "undefined.yaml")
        table = screen.query_one("#suites", DataTable)
        mark, name, cases, summary = (cell.plain for cell in table.get_row_at(index))
        assert (mark, name, cases) == ("✗", "undefined-variable", "1")
        assert "undefined.yaml:6" in summary and "nosuch" in summary
        healthy = next(i for i, e in enumerate(screen.entries) if e.path.name == "echo.yaml")
        assert table.get_row_at(healthy)[0].plain == "●"
        table.move_cursor(row=index)
        await pilot.pause()
        detail = screen_text(screen.query_one("#detail"))
        assert "cannot run" in detail and "'nosuch' is undefined" in detail
        assert "undefined-variable" in detail  # still the suite it is: name, file, models, runs


async def test_a_run_of_part_of_the_suite_is_not_shown_as_its_latest_pass_rate(
    make_tui: AppFactory, suite_dir: Path, db_path: Path
) -> None:
    """`--limit 2` after a whole run: the row said 100.0% (the two cases asked) for a suite that
    passes two thirds of its cases. The row draws whole-suite runs, as Trends does; the part run
    is still listed under recent runs."""
    from evaltui.engine import Runner, RunOptions, prepare
    from evaltui.store import Store
    from evaltui.suites import load_suite

    suite = load_suite(suite_dir / "echo.yaml")
    with Store(db_path) as store:
        for options in (RunOptions(concurrency=4), RunOptions(concurrency=4, limit=2)):
            await Runner(store, prepare(suite), suite.models[0], options).run()
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app) and bool(app.screen.runs.get("echo-check")))
        screen = app.screen
        index = next(i for i, e in enumerate(screen.entries) if e.path.name == "echo.yaml")
        table = screen.query_one("#suites", DataTable)
        summary = table.get_row_at(index)[3].plain
        assert "66.7%" in summary and "100.0%" not in summary, summary
        table.move_cursor(row=index)
        await pilot.pause()
        assert screen_text(screen.query_one("#detail")).count("completed") == 2
