"""The Compare and Diff screens, driven by keys through the real app on a real SQLite file holding
two runs with known outcomes (written through the store's own writer)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot

from evaltui.reports.comparison import compare_runs
from evaltui.reports.summary import summary_lines
from evaltui.store import Store
from evaltui.tui.app import EvaltuiApp
from evaltui.tui.screens.compare import CompareScreen, CompareTable
from evaltui.tui.screens.diff import DiffScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.runs import RunsScreen
from evaltui.tui.widgets.diff_view import DiffView
from tests.compare.builders import big_runs, make_run, make_suite
from tests.tui.conftest import (
    AppFactory,
    freeze_run,
    open_palette,
    palette_choose,
    palette_hits,
    record_notifications,
    run_suite,
    screen_text,
    table_lines,
    wait_until,
)

CASES = [f"c{i:02d}" for i in range(1, 13)]
# A passes c01-c08; B regresses on c02, c05, c07, improves on c10, and says c03 differently.
OUTCOMES_A = {cid: "pass" if i < 8 else "fail" for i, cid in enumerate(CASES)}
OUTCOMES_B = {**OUTCOMES_A, "c02": "fail", "c05": "fail", "c07": "fail", "c10": "pass"}
OUTPUTS_A = {"c02": "The refund was issued today.", "c03": "billing", "c05": "colour"}
OUTPUTS_B = {"c02": "The refund was denied today.", "c03": "Billing.", "c05": "colours"}
HOSTILE = "[bold red]pwned[/] \x1b[2J\x1b]52;c;aGk=\x07 [@click=app.quit]quit[/]"
REGRESSIONS = ["c02", "c05", "c07"]


@pytest.fixture
def pair(db_path: Path) -> tuple[str, str]:
    """Two completed runs of one suite with known verdicts, frozen ids and latencies."""
    with Store(db_path) as store:
        suite = make_suite(CASES)
        run_a = make_run(store, suite, OUTCOMES_A, outputs=OUTPUTS_A, label="baseline")
        run_b = make_run(store, suite, OUTCOMES_B, outputs={**OUTPUTS_B, "c12": HOSTILE}, model="rules")
    return (
        freeze_run(db_path, run_a, "20260101-120000-aaaaaa"),
        freeze_run(db_path, run_b, "20260101-120000-bbbbbb"),
    )


async def open_compare(pilot: Pilot, run_a: str, run_b: str) -> CompareScreen:
    app: EvaltuiApp = pilot.app  # type: ignore[assignment]
    await wait_until(pilot, lambda: len(app.screen_stack) > 1)
    app.open_compare(run_a, run_b)
    await wait_until(
        pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.comparison is not None
    )
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    table = screen.query_one(CompareTable)
    await wait_until(pilot, lambda: table.total == 0 or "…" not in table_lines(table)[1])
    return screen


async def open_diff(pilot: Pilot, run_a: str, run_b: str, case_id: str) -> DiffScreen:
    app: EvaltuiApp = pilot.app  # type: ignore[assignment]
    await wait_until(pilot, lambda: len(app.screen_stack) > 1)
    app.push_screen(DiffScreen(run_a, run_b, case_id))
    await wait_until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.shown is not None)
    return app.screen  # type: ignore[return-value]


def view_text(view: DiffView) -> str:
    return "\n".join(view.render_line(y).text for y in range(view.scrollable_content_region.height))


async def test_compare_screen_shows_the_numbers_compare_runs_computes(
    make_tui: AppFactory, db_path: Path, pair: tuple[str, str]
) -> None:
    with Store(db_path) as store:
        expected = compare_runs(store, *pair)
    app = make_tui()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_compare(pilot, *pair)
        summary = screen_text(screen.query_one("#compare-summary"))
        for line in summary_lines(expected):
            assert line.plain in summary
        assert "3 regressions" in summary and "1 improvements" in summary
        filters = screen_text(screen.query_one("#compare-filters"))
        assert "regressions 3" in filters and "improvements 1" in filters and "all 12" in filters
        runs = screen_text(screen.query_one("#compare-runs"))
        assert "baseline" in runs and "demo:rules" in runs
        lines = table_lines(screen.query_one(CompareTable))
        assert [line.split()[2] for line in lines[1:4]] == REGRESSIONS  # regressions first, in case order


async def test_filters_page_improvements_changed_and_all(make_tui: AppFactory, pair: tuple[str, str]) -> None:
    app = make_tui()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_compare(pilot, *pair)
        table = screen.query_one(CompareTable)
        await pilot.press("i")
        await wait_until(pilot, lambda: table.total == 1 and "c10" in table_lines(table)[1])
        await pilot.press("c")
        await wait_until(pilot, lambda: table.total == 2 and "c12" in table_lines(table)[2])
        assert [line.split()[2] for line in table_lines(table)[1:3]] == ["c03", "c12"]
        await pilot.press("a")
        await wait_until(pilot, lambda: table.total == 12 and "c12" in "".join(table_lines(table)))


async def test_n_walks_every_regression_from_the_diff_screen(
    make_tui: AppFactory, pair: tuple[str, str]
) -> None:
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_compare(pilot, *pair)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.shown is not None)
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        seen = [screen.case_id]
        for _ in REGRESSIONS[1:]:
            await pilot.press("n")
            await wait_until(pilot, lambda: screen.shown is not None and screen.shown.case_id not in seen)
            seen.append(screen.case_id)
        assert seen == REGRESSIONS
        assert "3 of 3 regressions" in screen_text(screen.query_one("#diff-header"))
        await pilot.press("n")
        await wait_until(pilot, lambda: any("last of the 3 regressions" in note for note in notes))
        await pilot.press("p")
        await wait_until(pilot, lambda: screen.case_id == "c05")


async def test_u_switches_between_side_by_side_and_inline(
    make_tui: AppFactory, pair: tuple[str, str]
) -> None:
    app = make_tui()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_diff(pilot, *pair, "c02")
        view = screen.query_one(DiffView)
        side = view_text(view)
        first = side.splitlines()[0]
        left, _, right = first.partition("│")
        assert "issued" in left and "denied" not in left
        assert "denied" in right and "issued" not in right
        await pilot.press("u")
        assert view.unified
        inline = view_text(view).splitlines()[0]
        assert "│" not in inline and inline.index("issued") < inline.index("denied")
        await pilot.press("u")
        assert not view.unified and view_text(view).splitlines()[0] == first


async def test_replaced_words_are_diffed_by_character(make_tui: AppFactory, pair: tuple[str, str]) -> None:
    app = make_tui()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_diff(pilot, *pair, "c05")
        view = screen.query_one(DiffView)
        right = view.render_line(0).crop(view.scrollable_content_region.width // 2)
        pieces = {seg.text: seg.style for seg in right if seg.text.strip() and seg.text.strip() != "│"}
        assert "colour" in pieces and "s" in pieces
        assert pieces["s"].bold and not pieces["colour"].bold  # only the added letter is strong


async def test_a_hostile_output_is_shown_literally_and_inert(
    make_tui: AppFactory, pair: tuple[str, str]
) -> None:
    app = make_tui()
    async with app.run_test(size=(160, 30)) as pilot:
        screen = await open_diff(pilot, *pair, "c12")
        text = view_text(screen.query_one(DiffView))
        assert "[bold red]pwned[/]" in text and "[@click=app.quit]quit[/]" in text
        assert "\x1b" not in text and "\x07" not in text and "␛" in text
        assert app.is_running  # the click markup did not quit the app


async def test_two_100kb_outputs_open_and_scroll_to_the_end(make_tui: AppFactory, db_path: Path) -> None:
    words = [f"word{i % 97}" for i in range(16_000)]
    old = " ".join(words)
    new = " ".join(w if i % 500 else "CHANGED" for i, w in enumerate(words))
    assert len(old) > 100_000
    with Store(db_path) as store:
        suite = make_suite(["big"])
        run_a = make_run(store, suite, {"big": "pass"}, outputs={"big": old})
        run_b = make_run(store, suite, {"big": "fail"}, outputs={"big": new})
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_diff(pilot, run_a, run_b, "big")
        view = screen.query_one(DiffView)
        assert view.visual_lines > 1000  # wrapped, all of it, none of it cut

        def end_shown() -> bool:
            """Scrolled to the bottom, the last line holds the very end of A's output (retried
            while the layout settles: a scrollbar appearing narrows the view and rewraps it)."""
            view.scroll_to(y=view.max_scroll_y, animate=False, immediate=True)
            lefts = [line.partition("│")[0].strip() for line in view_text(view).splitlines()]
            last = [left for left in lefts if left][-1]
            return old.endswith(last)

        await wait_until(pilot, end_shown)
        await pilot.press("u")
        assert view.unified and view.visual_lines > 1000


async def mark_both_runs(pilot: Pilot) -> list[str]:
    """On the Runs screen, space on the first run then on the second; their ids, A first."""
    app = pilot.app
    await pilot.press("R")
    await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen) and len(app.screen.runs) == 2)
    order = [run.id for run in app.screen.runs]  # type: ignore[attr-defined]
    await pilot.press("space", "down", "space")
    assert app.screen.marked == order  # type: ignore[attr-defined]
    return order


async def test_marking_two_runs_with_space_then_c_compares_them(
    make_tui: AppFactory, pair: tuple[str, str]
) -> None:
    app = make_tui()
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        order = await mark_both_runs(pilot)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
        assert (app.screen.run_a, app.screen.run_b) == tuple(order)


async def test_b_on_a_run_compares_it_with_the_baseline(make_tui: AppFactory, pair: tuple[str, str]) -> None:
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        app.open_run(pair[1])
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.run.suite_id != "")
        await pilot.press("c")  # the other run is another model: nothing earlier to compare with
        await wait_until(pilot, lambda: any("No earlier run" in note for note in notes))
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
        assert (app.screen.run_a, app.screen.run_b) == pair


def test_compare_screen_looks_right(snap_compare, make_tui: AppFactory, pair: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot) -> None:
        await open_compare(pilot, *pair)
        await pilot.app.workers.wait_for_complete()

    assert snap_compare(make_tui(), terminal_size=(80, 24), run_before=run_before)


def test_diff_screen_looks_right(snap_compare, make_tui: AppFactory, pair: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot) -> None:
        await open_diff(pilot, *pair, "c02")
        await pilot.app.workers.wait_for_complete()

    assert snap_compare(make_tui(), terminal_size=(80, 24), run_before=run_before)


async def test_two_100000_case_runs_page_instead_of_loading_every_row(
    make_tui: AppFactory, db_path: Path
) -> None:
    def outcome(i: int, side: int) -> tuple[str, str]:
        regressed = side == 1 and i % 1000 == 7
        return ("fail" if regressed else "pass"), f"answer {i}" + (" changed" if regressed else "")

    run_a, run_b = big_runs(db_path, 100_000, outcome)
    app = make_tui()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_compare(pilot, run_a, run_b)
        table = screen.query_one(CompareTable)
        assert table.total == 100 and "case-000007" in table_lines(table)[1]
        await pilot.press("a")
        await wait_until(pilot, lambda: table.total == 100_000 and "case-000000" in table_lines(table)[1])
        await pilot.press("end")
        await wait_until(pilot, lambda: "case-099999" in "".join(table_lines(table)))


async def test_runs_marked_with_space_on_their_run_screens_are_compared_with_c(
    make_tui: AppFactory, db_path, suite_dir
) -> None:
    import asyncio

    from evaltui.tui.screens.compare import CompareScreen
    from evaltui.tui.screens.run import RunScreen
    from tests.tui.conftest import run_suite

    first = await asyncio.to_thread(run_suite, db_path, suite_dir / "echo.yaml")
    second = await asyncio.to_thread(run_suite, db_path, suite_dir / "echo.yaml")
    app = make_tui()
    async with app.run_test(size=(120, 36)) as pilot:
        for run_id in (first, second):
            app.open_run(run_id)
            await wait_until(
                pilot, lambda rid=run_id: isinstance(app.screen, RunScreen) and app.screen.run_id == rid
            )
            await pilot.pause()
            await pilot.press("space")
            await pilot.pause()
        assert app.marked == [first, second]
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
        assert (app.screen.run_a, app.screen.run_b) == (first, second)


async def test_runs_with_epochs_show_each_cases_verdict_and_its_passed_epochs(
    make_tui: AppFactory, db_path: Path
) -> None:
    """Epoch 0 says the opposite of the case's verdict on e1, e2 and e3: the row follows the verdict
    (the mean of the scored epochs), as the comparison's lists do, and counts the epochs."""
    a = {"e1": ["fail", "pass", "pass"], "e2": ["pass", "fail", "fail"], "e3": ["error", "pass", "fail"]}
    b = {"e1": ["pass", "fail", "fail"], "e2": ["fail", "pass", "pass"], "e3": ["error"] * 3}
    with Store(db_path) as store:
        suite = make_suite(["e1", "e2", "e3"])
        run_a = make_run(store, suite, a)
        run_b = make_run(store, suite, b)
    app = make_tui()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(pilot, run_a, run_b)
        table = screen.query_one(CompareTable)
        lines = table_lines(table)
        assert lines[0].split()[:3] == ["A", "B", "case"]
        assert lines[1].split()[:4] == ["▼", "✓2/3", "✗1/3", "e1"]
        await pilot.press("a")
        await wait_until(pilot, lambda: table.total == 3 and "e3" in "".join(table_lines(table)))
        rows = table_lines(table)[1:4]
        assert rows[0].split()[:4] == ["▼", "✓2/3", "✗1/3", "e1"]
        assert rows[1].split()[:4] == ["▲", "✗1/3", "✓2/3", "e2"]
        assert rows[2].split()[:3] == ["✓1/2", "!0/0", "e3"]  # errors are not verdicts; all errored: "!"
        assert all(len(line) <= 80 and line.count("answer e") == 2 for line in rows[:2])


async def test_the_palette_compares_a_run_with_the_previous_run_and_with_the_baseline(
    make_tui: AppFactory, db_path: Path, suite_dir: Path
) -> None:
    echo = suite_dir / "echo.yaml"
    base = await asyncio.to_thread(run_suite, db_path, echo, label="baseline")
    first = await asyncio.to_thread(run_suite, db_path, echo)
    second = await asyncio.to_thread(run_suite, db_path, echo)
    app = make_tui()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        app.open_run(second)
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.run.suite_id != "")
        await open_palette(pilot)
        await wait_until(pilot, lambda: "Compare with the baseline run" in palette_hits(app))
        assert "Compare with the previous run" in palette_hits(app)
        assert "Open the matrix of this launch" not in palette_hits(app)  # launched alone
        await pilot.press("escape")
        for query, label, other in (("previous", "Compare with the previous run", first),
                                    ("baseline run", "Compare with the baseline run", base)):  # fmt: skip
            await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
            await palette_choose(pilot, query, label)
            await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
            assert (app.screen.run_a, app.screen.run_b) == (other, second)
            await pilot.press("escape")


async def test_the_palette_compares_the_two_marked_runs_from_any_screen(
    make_tui: AppFactory, pair: tuple[str, str]
) -> None:
    app = make_tui()
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        await open_palette(pilot)
        await wait_until(pilot, lambda: bool(palette_hits(app)))
        assert not any(hit.startswith("Compare") for hit in palette_hits(app))  # nothing marked yet
        await pilot.press("escape")
        order = await mark_both_runs(pilot)
        await pilot.press("escape")  # back on the home screen
        await wait_until(pilot, lambda: len(app.screen_stack) == 2)
        await palette_choose(pilot, "marked", f"Compare marked runs A vs B: {order[0]} vs {order[1]}")
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen))
        assert (app.screen.run_a, app.screen.run_b) == tuple(order)


async def test_with_no_regressions_the_table_opens_on_the_improvements(
    make_tui: AppFactory, db_path: Path
) -> None:
    with Store(db_path) as store:
        suite = make_suite(CASES)
        better = {**OUTCOMES_A, "c09": "pass", "c11": "pass"}
        run_a, run_b = make_run(store, suite, OUTCOMES_A), make_run(store, suite, better)
    app = make_tui()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_compare(pilot, run_a, run_b)
        table = screen.query_one(CompareTable)
        assert screen.filter == "improvements" and table.total == 2
        assert [line.split()[2] for line in table_lines(table)[1:3]] == ["c09", "c11"]


@pytest.mark.parametrize(
    ("no_color", "first_line"),
    [
        (False, "The refund was issued denied today."),  # a space between: not "issueddenied"
        (True, "The refund was [-issued-] {+denied+} today."),
    ],
)
async def test_inline_diff_reads_with_and_without_colour(
    make_tui: AppFactory,
    pair: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    no_color: bool,
    first_line: str,
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_tui()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_diff(pilot, *pair, "c02")
        view = screen.query_one(DiffView)
        await pilot.press("u")
        assert view_text(view).splitlines()[0].rstrip() == first_line
        app.theme = "evaltui-ansi"  # the 16-colour theme marks changes whatever NO_COLOR says
        await wait_until(pilot, lambda: "[-issued-] {+denied+}" in view_text(view))
