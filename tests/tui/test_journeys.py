"""The main journeys, driven by keys through the real app, the real engine on an offline demo
model and a real SQLite file."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, SelectionList

from evaltui.store import Store
from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.help import HelpScreen
from evaltui.tui.screens.launch import LaunchScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.runs import RunsScreen
from evaltui.tui.screens.suites import SuitesScreen
from evaltui.tui.widgets.result_table import ResultTable
from evaltui.tui.widgets.run_header import RunHeader
from tests.compare.builders import make_run, make_suite
from tests.tui.conftest import (
    AppFactory,
    open_palette,
    palette_choose,
    palette_hits,
    record_notifications,
    screen_text,
    suites_loaded,
    table_lines,
    wait_until,
)


async def highlight_suite(pilot, name: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: suites_loaded(app))
    app.screen.select_suite(name)
    await pilot.pause()


async def test_a_broken_suite_is_listed_with_file_line_and_field(make_tui: AppFactory) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        broken = [entry for entry in app.screen.entries if entry.error]
        assert [entry.path.name for entry in broken] == ["broken.yaml"]
        app.screen.query_one("#suites", DataTable).move_cursor(row=app.screen.entries.index(broken[0]))
        await pilot.pause()
        detail = screen_text(app.screen.query_one("#detail"))
        assert "broken.yaml:8" in detail and "expectd" in detail


async def test_launch_a_run_on_a_demo_model_and_watch_it_finish(make_tui: AppFactory) -> None:
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await highlight_suite(pilot, "echo-check")
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LaunchScreen))
        assert list(app.screen.query_one(SelectionList).selected) == ["demo:echo"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
        run_id = app.screen.run_id
        await wait_until(pilot, lambda: any("completed" in note for note in notes))
        await wait_until(pilot, lambda: "✓ 8" in screen_text(app.screen.query_one(RunHeader)))
        header = screen_text(app.screen.query_one(RunHeader))
        assert "completed" in header and "✗ 4" in header and "66.7%" in header
        table = app.screen.query_one(ResultTable)
        await wait_until(pilot, lambda: table.total == 12 and "q01" in table_lines(table)[1])
        # once every worker the finish started has painted, the header shows the finished latency
        await app.workers.wait_for_complete()
        await asyncio.sleep(0.3)
        await pilot.pause()
        header = screen_text(app.screen.query_one(RunHeader))
        assert "completed" in header
        assert re.search(r"p50 \d+ ?ms p95 \d+ ?ms", header), header
        await pilot.press("q")  # the home screen, redrawn on return, shows the run's pass rate
        await wait_until(pilot, lambda: suites_loaded(app))
        row = app.screen.entries.index(
            next(e for e in app.screen.entries if e.suite and e.suite.name == "echo-check")
        )
        await wait_until(
            pilot, lambda: "66.7%" in str(app.screen.query_one("#suites", DataTable).get_row_at(row))
        )
    assert app.store.get_run(run_id).status == "completed"


async def test_step_through_every_failure_with_n(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, echo_run)
        table = app.screen.query_one(ResultTable)
        await pilot.press("f")
        await wait_until(pilot, lambda: table.total == 4 and table.highlighted is not None)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen) and "q03" in header_of(app))
        seen = [app.screen.case_id]
        await wait_until(pilot, lambda: "failure 1 of 4" in header_of(app))
        for number in range(2, 5):
            await pilot.press("n")
            await wait_until(pilot, lambda: app.screen.case_id not in seen)
            seen.append(app.screen.case_id)
            await wait_until(pilot, lambda: f"failure {number} of 4" in header_of(app))  # noqa: B023
        assert seen == ["q03", "q06", "q09", "q12"]
        await pilot.press("n")
        await wait_until(pilot, lambda: any("No failing case after" in note for note in notes))
        await pilot.press("k")
        await wait_until(pilot, lambda: app.screen.case_id == "q09")
        assert "other 9" in screen_text(app.screen.query_one("#expected"))
        assert "answer 9" in screen_text(app.screen.query_one("#output"))
        assert "expected" in screen_text(app.screen.query_one("#scores"))
        await pilot.press("escape")
        assert isinstance(app.screen, RunScreen)


async def open_run(pilot, run_id: str) -> None:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: suites_loaded(pilot.app))
    pilot.app.open_run(run_id)
    await wait_until(
        pilot, lambda: isinstance(pilot.app.screen, RunScreen) and bool(pilot.app.screen.query(ResultTable))
    )


def header_of(app) -> str:  # type: ignore[no-untyped-def]
    return screen_text(app.screen.query_one("#case-header"))


async def test_run_table_filters_by_status_tag_and_search(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, echo_run)
        table = app.screen.query_one(ResultTable)
        await wait_until(pilot, lambda: table.total == 12)
        await pilot.press("t")
        await pilot.press(*"even", "enter")
        await wait_until(pilot, lambda: table.total == 6)
        app.screen.query_one("#search", Input).value = ""
        await pilot.press("slash", *"answer 1", "enter")
        await wait_until(pilot, lambda: table.total == 4)  # answer 1, 10, 11, 12
        await pilot.press("f")
        await wait_until(pilot, lambda: table.total == 1 and "q12" in table_lines(table)[1])


async def test_runs_screen_lists_and_filters_runs(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen) and len(app.screen.runs) == 1)
        await pilot.press("slash", *"status:failed", "enter")
        await wait_until(pilot, lambda: app.screen.runs == [])
        app.screen.query_one("#runs-filter", Input).value = ""
        await pilot.press("slash", *"suite:echo-check", "enter")
        await wait_until(pilot, lambda: len(app.screen.runs) == 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.run_id == echo_run)


async def test_a_runs_filter_that_matches_nothing_says_so(make_tui: AppFactory, echo_run: str) -> None:
    """An empty table after `/ suite:typo` says no run matches the filter, not that there are no
    runs: the list itself has no room to say it."""
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen) and len(app.screen.runs) == 1)
        await pilot.press("slash", *"suite:echo-chekc", "enter")
        await wait_until(pilot, lambda: app.screen.runs == [])
        await wait_until(pilot, lambda: any("suite:echo-chekc" in note for note in notes))
        assert any(note.startswith("No runs match") for note in notes), notes


async def test_help_lists_the_bindings_of_every_screen(make_tui: AppFactory) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        assert isinstance(app.screen, SuitesScreen)


async def test_command_palette_jumps_to_a_run_by_id(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        await palette_choose(pilot, echo_run[-6:], f"Run {echo_run}")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.run_id == echo_run)


async def test_palette_hits_show_a_hostile_run_label_as_typed(make_tui: AppFactory, db_path: Path) -> None:
    label = "[@click=app.quit]quit[/] [bold red]x[/]"
    with Store(db_path) as store:
        make_run(store, make_suite(["c1"]), {"c1": "pass"}, label=label)
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        await open_palette(pilot, "click")
        await wait_until(pilot, lambda: any(hit.startswith("Run ") for hit in palette_hits(app)))
        assert label in next(hit for hit in palette_hits(app) if hit.startswith("Run "))  # not read as markup


async def test_q_goes_back_and_quits_only_from_home(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, echo_run)
        await pilot.press("q")
        assert isinstance(app.screen, SuitesScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_launching_two_models_opens_the_first_and_names_the_other(make_tui: AppFactory) -> None:
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await highlight_suite(pilot, "echo-check")
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LaunchScreen))
        app.screen.query_one("#spec", Input).value = "demo:rules"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
        await wait_until(pilot, lambda: any("Also running demo:rules" in note for note in notes))
        await wait_until(pilot, lambda: len(app.live) == 0)
        note = next(note for note in notes if "Also running demo:rules" in note)
        runs = app.store.list_runs(suite="echo-check")
        other = next(run for run in runs if run.model_id == "demo:rules")
        assert other.id in note and "R lists all runs" in note
        assert {run.model_id for run in runs} == {"demo:echo", "demo:rules"}
        ended = [note for note in notes if note.startswith(("Run ", "All "))]  # one note for the launch
        assert len(ended) == 1 and ended[0].startswith("All 2 runs of the launch ended: ")
        assert "demo:echo completed" in ended[0] and "demo:rules completed" in ended[0]


async def test_suites_appear_as_they_load(make_tui: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder of large suites takes a while: the first suites show before the last is read."""
    from evaltui.tui.screens import suites as suites_screen

    gate = threading.Event()
    real = suites_screen.iter_suites

    def slow_after_first(dirs):  # type: ignore[no-untyped-def]
        for index, entry in enumerate(real(dirs)):
            if index == 1:
                gate.wait(10)  # the second suite "takes long" until the test lets it through
            yield entry

    monkeypatch.setattr(suites_screen, "iter_suites", slow_after_first)
    monkeypatch.setattr(suites_screen, "SHOW_EVERY_S", 0.0)
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SuitesScreen) and len(app.screen.entries) == 1)
        table = app.screen.query_one("#suites", DataTable)
        assert app.screen.reading and table.row_count == 1 and "loading" in str(table.border_title)
        gate.set()
        await wait_until(pilot, lambda: suites_loaded(app))
        assert len(app.screen.entries) == 3 and table.row_count == 3 and table.border_title == "Suites"


async def test_a_run_ending_refreshes_the_pass_rates_without_reading_the_suites_again(
    make_tui: AppFactory, suite_dir: Path, echo_run: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        (suite_dir / "late.yaml").write_text(
            "name: late\nprompt: '{{ input }}'\ncases:\n  - {id: a, input: x}\n", encoding="utf-8"
        )
        with Store(app.store.path) as store:
            make_run(store, make_suite(["q01"], name="echo-check"), {"q01": "fail"}, model="late-model")
        app.run_changed.publish("some-run")
        await wait_until(
            pilot, lambda: any(run.model_id == "demo:late-model" for run in app.screen.runs["echo-check"])
        )
        assert "late" not in {entry.suite.name for entry in app.screen.entries if entry.suite}
        await pilot.press("f5")  # the key re-reads the folders
        await wait_until(pilot, lambda: suites_loaded(app) and len(app.screen.entries) == 4)


async def test_pass_rates_that_change_under_another_screen_are_drawn_when_home_shows_again(
    make_tui: AppFactory, echo_run: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        home = app.screen
        table = home.query_one("#suites", DataTable)
        row = next(i for i, e in enumerate(home.entries) if e.suite and e.suite.name == "echo-check")
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen))
        with Store(app.store.path) as store:
            make_run(store, make_suite(["q01"], name="echo-check"), {"q01": "pass"}, model="other")
        app.run_changed.publish("some-run")
        await wait_until(pilot, lambda: "demo:other" in {run.model_id for run in home.runs["echo-check"]})
        assert "demo:other" not in str(table.get_row_at(row))  # not redrawn while hidden
        await pilot.press("q")
        await wait_until(pilot, lambda: "demo:other" in str(table.get_row_at(row)))


async def test_a_live_run_shows_its_progress_line_until_it_ends(
    make_tui: AppFactory, suite_dir: Path
) -> None:
    from evaltui.engine import RunOptions
    from evaltui.suites import load_suite
    from evaltui.suites.models import ModelSpec
    from evaltui.tui.requests import LaunchRequest

    suite = load_suite(suite_dir / "echo.yaml")
    slow = ModelSpec(provider="demo", model="echo", params={"latency_ms": 60})
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        app.live.launch(LaunchRequest(suite, [slow], RunOptions(concurrency=1)))
        # the Run screen is pushed before it is composed: wait for its progress line to exist
        await wait_until(
            pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.query("#progress-row")
        )
        row = app.screen.query_one("#progress-row")
        await wait_until(pilot, lambda: "/12 ·" in screen_text(row))
        line = screen_text(row)
        assert "━" in line and "%" in line and "cases/s" in line and "ETA" in line and row.display
        await wait_until(pilot, lambda: len(app.live) == 0, steps=800)
        await wait_until(pilot, lambda: not row.display)
