"""`F` on a Run screen starts a run of only its failing cases; `S` rescores its outputs with the
suite's scorers as its file reads now. Both open the new run, linked to the old one."""

from __future__ import annotations

from pathlib import Path

from evaltui.records import RunRecord
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.widgets.run_header import RunHeader
from tests.tui.conftest import AppFactory, record_notifications, screen_text, suites_loaded, wait_until


async def open_run(pilot, run_id: str) -> RunScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: suites_loaded(app))
    app.open_run(run_id)
    await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.run.suite_id != "")
    return app.screen


async def a_new_run_opened(pilot, old: str) -> RunRecord:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.run_id != old)
    new = app.screen.run_id
    await wait_until(pilot, lambda: (app.store.get_run(new) or RunRecord(new)).status == "completed")
    await wait_until(pilot, lambda: "completed" in screen_text(app.screen.query_one(RunHeader)))
    return app.store.get_run(new)


async def test_shift_f_reruns_only_the_failing_cases(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_run(pilot, echo_run)
        assert screen.check_action("rerun_failing", ())
        await pilot.press("F")
        new = await a_new_run_opened(pilot, echo_run)
        assert new.options["rerun_of"] == echo_run
        assert new.options["failing_of"] == echo_run and "cases" not in new.options
        asked = sorted(r.case_id for r in app.store.iter_results(new.id, columns=("case_id",)))
        assert asked == ["q03", "q06", "q09", "q12"]
        assert (new.total, new.failed) == (4, 4)  # nothing in the suite was fixed


async def test_shift_s_rescores_with_the_suites_scorers_as_they_read_now(
    make_tui: AppFactory, echo_run: str, suite_dir: Path
) -> None:
    path = suite_dir / "echo.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - type: equals", "  - {type: contains, value: answer}")
    )
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_run(pilot, echo_run)
        await pilot.press("S")
        new = await a_new_run_opened(pilot, echo_run)
        assert new.label == f"rescore of {echo_run}" and new.options["rescore_of"] == echo_run
        assert (new.total, new.passed) == (12, 12)  # every output contains "answer"
        assert not [n for n in notes if "failed" in n]
