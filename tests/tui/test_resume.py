"""Resume and Retry errors from the Run screen (keys r and E) and the command palette: the run on
screen is finished in place, through the engine's resume (the same run id, only the cases it
still needs asked), and the keys show only where they can act."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import DataTable

from evaltui.engine import CaseFinished, Runner, RunOptions, prepare
from evaltui.store import Store
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec, Price
from evaltui.tui.app import EvaltuiApp
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.runs import RunsScreen
from evaltui.tui.widgets.footer import shown_keys
from evaltui.tui.widgets.run_header import RunHeader
from evaltui.tui.widgets.tones import tone
from tests.tui.conftest import AppFactory, footer_descriptions, palette_choose, screen_text, wait_until

LONG = 1200  # wait_until steps for a resumed run to finish


@pytest.fixture
def interrupted_run(db_path: Path, suite_dir: Path, fake_api, monkeypatch: pytest.MonkeyPatch) -> str:  # type: ignore[no-untyped-def]
    """The echo suite (12 cases: 8 pass, 4 fail) asked of a loopback model that echoes the prompt,
    cancelled after its fifth result. The sixth case's request hangs until then: results are
    reported as they are committed, which on a loaded machine came only after the last case had
    been asked, and the run then completed instead of being interrupted."""
    monkeypatch.setenv("TUI_TEST_KEY", "sk-tui-test")
    fake_api.answer = lambda text: text
    fake_api.fail_when("answer 6", "hang")
    suite = load_suite(suite_dir / "echo.yaml")
    model = ModelSpec(
        id="echo", provider="openai", model="fake", base_url=fake_api.base_url, api_key_env="TUI_TEST_KEY"
    )
    with Store(db_path) as store:
        runner = Runner(store, prepare(suite), model, RunOptions(concurrency=1))
        finished = 0

        def cancel_after_five(event: object) -> None:
            nonlocal finished
            if isinstance(event, CaseFinished):
                finished += 1
                if finished == 5:
                    runner.cancel()

        runner.subscribe(cancel_after_five)
        run_id = asyncio.run(runner.run())
        run = store.get_run(run_id)
        assert (run.status, run.done) == ("interrupted", 5)
    return run_id


@pytest.fixture
def stopped_run(db_path: Path, suite_dir: Path) -> str:
    """The echo suite run at a dollar a token with a $5 ceiling: stopped after a few cases."""
    suite = load_suite(suite_dir / "echo.yaml")
    price = Price(input_per_mtok=1_000_000, output_per_mtok=1_000_000)
    model = ModelSpec(provider="demo", model="echo", price=price)
    with Store(db_path) as store:
        runner = Runner(store, prepare(suite), model, RunOptions(concurrency=1, max_cost_usd=5))
        run_id = asyncio.run(runner.run())
        run = store.get_run(run_id)
        assert run.status == "stopped" and 1 <= run.done < 12
    return run_id


@pytest.fixture
def errored_run(db_path: Path, tmp_path: Path, fake_api, monkeypatch: pytest.MonkeyPatch) -> str:  # type: ignore[no-untyped-def]
    """Six cases asked of a loopback model that answered 500 for two of them (no retries)."""
    monkeypatch.setenv("TUI_TEST_KEY", "sk-tui-test")
    cases = "".join(f'  - {{id: c{i}, input: "case-{i}", expected: "CASE-{i}"}}\n' for i in range(6))
    suite_file = tmp_path / "api.yaml"
    suite_file.write_text(
        "name: api-check\nprompt: 'Q: {{ input }}'\nmodels:\n"
        f"  - {{id: fake, provider: openai, model: fake, base_url: '{fake_api.base_url}', "
        "api_key_env: TUI_TEST_KEY, max_retries: 0}\n"
        f"scorers:\n  - type: equals\ncases:\n{cases}",
        encoding="utf-8",
    )
    fake_api.fail_when("case-2", "500")
    fake_api.fail_when("case-4", "500")
    suite = load_suite(suite_file)
    with Store(db_path) as store:
        runner = Runner(store, prepare(suite), suite.models[0], RunOptions(use_cache=False))
        run_id = asyncio.run(runner.run())
        run = store.get_run(run_id)
        assert (run.status, run.done, run.errors) == ("completed", 6, 2)
    return run_id


def header(app: EvaltuiApp) -> str:
    return screen_text(app.screen.query_one(RunHeader))


async def open_run(pilot, run_id: str, status: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: len(app.screen_stack) > 1)
    app.open_run(run_id)
    await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and bool(app.screen.query(RunHeader)))
    await wait_until(pilot, lambda: status in header(app))
    await wait_until(pilot, lambda: "Failures" in footer_descriptions(app))
    # The footer follows the run read a moment after the header (Textual refreshes bindings when
    # idle): until then Resume and Retry errors are not shown yet, whatever the run.
    await wait_until(
        pilot, lambda: footer_descriptions(app) == [key.description for key in shown_keys(app.screen)[0]]
    )


async def test_r_resumes_an_interrupted_run_in_place(
    make_tui: AppFactory, interrupted_run: str, db_path: Path
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, interrupted_run, "interrupted")
        assert "Resume" in footer_descriptions(app) and "Retry errors" not in footer_descriptions(app)
        screen = app.screen
        await pilot.press("r")
        await wait_until(pilot, lambda: "completed" in header(app), steps=LONG)
        await wait_until(pilot, lambda: "✓ 8" in header(app) and "✗ 4" in header(app))
        assert app.screen is screen  # finished in place, not opened again
        await wait_until(pilot, lambda: "Resume" not in footer_descriptions(app))
    with Store(db_path) as store:
        assert store.count_runs() == 1
        run = store.get_run(interrupted_run)
        assert (run.status, run.done, run.passed, run.failed) == ("completed", 12, 8, 4)


async def test_r_resumes_a_run_stopped_at_its_cost_ceiling_to_completion(
    make_tui: AppFactory, stopped_run: str, db_path: Path
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, stopped_run, "stopped")
        assert "Resume" in footer_descriptions(app)
        await pilot.press("r")
        await wait_until(pilot, lambda: "completed" in header(app), steps=LONG)
    with Store(db_path) as store:
        run = store.get_run(stopped_run)
        assert (run.status, run.done, run.stop_reason) == ("completed", 12, None)


async def test_the_palette_retries_a_runs_errored_cases(
    make_tui: AppFactory,
    errored_run: str,
    db_path: Path,
    fake_api,  # type: ignore[no-untyped-def]
) -> None:
    asked = dict(fake_api.requests)
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, errored_run, "completed")
        assert "Retry errors" in footer_descriptions(app) and "Resume" not in footer_descriptions(app)
        await palette_choose(pilot, "retry", "Retry this run's errored cases")
        await wait_until(pilot, lambda: "✓ 6" in header(app), steps=LONG)
        assert "completed" in header(app)
    asked_now = {text for text, n in fake_api.requests.items() if n > asked.get(text, 0)}
    assert asked_now == {"Q: case-2", "Q: case-4"}
    with Store(db_path) as store:
        run = store.get_run(errored_run)
        assert (run.done, run.passed, run.errors) == (6, 6, 0)


async def test_a_completed_run_without_errors_offers_neither(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, echo_run, "completed")
        footer_now = footer_descriptions(app)
        await pilot.press("r", "E")
        await pilot.pause()
        assert "Resume" not in footer_now and "Retry errors" not in footer_now
        assert not app.live and "completed" in header(app)


async def test_the_runs_list_shows_a_stopped_run_as_ended_early_and_filters_by_it(
    make_tui: AppFactory, stopped_run: str, interrupted_run: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen) and len(app.screen.runs) == 2)
        screen = app.screen
        table = screen.query_one("#runs", DataTable)
        cell = table.get_cell(stopped_run, "status")
        assert cell.plain == "stopped" and cell.style == tone(app, "warning")
        await pilot.press("slash", *"status:stopped", "enter")
        await wait_until(pilot, lambda: [run.id for run in screen.runs] == [stopped_run])
