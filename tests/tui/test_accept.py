"""`a` on a failing case shows the change to the suite, asks, writes it on `y` (the case's line
only) and marks the result accepted; `n` writes nothing."""

from __future__ import annotations

from pathlib import Path

from evaltui.tui.screens.accept import AcceptScreen
from evaltui.tui.screens.case import CaseScreen
from tests.tui.conftest import AppFactory, screen_text, suites_loaded, wait_until


async def open_case(pilot, run_id: str, case_id: str) -> CaseScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: suites_loaded(app))
    app.open_case(run_id, case_id)
    await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown is not None)
    return app.screen


async def test_a_shows_the_diff_and_y_writes_the_output_as_expected(
    make_tui: AppFactory, echo_run: str, suite_dir: Path
) -> None:
    path = suite_dir / "echo.yaml"
    before = path.read_text(encoding="utf-8")
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        case = await open_case(pilot, echo_run, "q03")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AcceptScreen))
        diff = screen_text(app.screen.query_one("#accept-diff Static"))
        assert '-    expected: "other 3"' in diff and '+    expected: "answer 3"' in diff
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is case)
        assert path.read_text(encoding="utf-8") == before
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AcceptScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: "label accepted" in screen_text(case.query_one("#case-header")))
    assert path.read_text(encoding="utf-8") == before.replace('expected: "other 3"', 'expected: "answer 3"')
    assert [a.label for a in app.store.annotations(echo_run, "q03")] == ["accepted"]


async def test_a_is_not_offered_on_a_passing_case(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        case = await open_case(pilot, echo_run, "q01")
        assert not case.check_action("accept", ())
        await pilot.press("a")
        await pilot.pause(0.2)
        assert app.screen is case
