"""Runs in progress: quitting asks before it interrupts one, the Suites screen shows which suites
are running, and a run driven by another process (`evaltui run` in another terminal, the same
database) is followed live: its row, its Run screen, its end or its process's death."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from evaltui.store import Store
from evaltui.tui.app import EvaltuiApp
from evaltui.tui.screens.launch import LaunchScreen
from evaltui.tui.screens.quit import QuitScreen
from evaltui.tui.screens.run import RunScreen
from evaltui.tui.screens.suites import SuitesScreen
from evaltui.tui.widgets.run_header import RunHeader
from tests.tui.conftest import (
    AppFactory,
    footer_descriptions,
    run_suite,
    screen_text,
    suites_loaded,
    wait_until,
)

EVALTUI = str(Path(sys.executable).with_name("evaltui"))
CASES = 30
SLOW_SUITE = """name: slow-echo
description: A slow demo model, so a run is still going while keys are pressed.
prompt: "{{ input }}"
models:
  - id: demo:slow
    provider: demo
    model: echo
    params: {latency_ms: 150}
scorers:
  - type: equals
cases:
""" + "".join(f'  - {{id: c{i:02d}, input: "answer {i}", expected: "answer {i}"}}\n' for i in range(CASES))
LONG = 2000  # wait_until steps (25 ms each) for what waits on a whole slow run


@pytest.fixture
def slow_dir(suite_dir: Path) -> Path:
    (suite_dir / "slow.yaml").write_text(SLOW_SUITE, encoding="utf-8")
    return suite_dir


@pytest.fixture
def earlier(slow_dir: Path, db_path: Path) -> str:
    """A finished run of the slow suite: its "latest run" must not stay on this one."""
    return run_suite(db_path, slow_dir / "slow.yaml")


def suite_row(app: EvaltuiApp, name: str) -> str:
    """The Suites table's row of a suite, as plain text."""
    screen = app.screen
    assert isinstance(screen, SuitesScreen)
    index = next(i for i, e in enumerate(screen.entries) if e.suite and e.suite.name == name)
    cells = screen.query_one("#suites", DataTable).get_row_at(index)
    return " ".join(getattr(cell, "plain", str(cell)) for cell in cells)


def header(app: EvaltuiApp) -> str:
    return screen_text(app.screen.query_one(RunHeader))


def progress(app: EvaltuiApp) -> str:
    row = app.screen.query_one("#progress-row", Static)
    return screen_text(row) if row.display else ""


async def launch_slow(pilot) -> str:  # type: ignore[no-untyped-def]
    """r on slow-echo, concurrency 1, enter: the run opens; its id."""
    app = pilot.app
    await wait_until(pilot, lambda: suites_loaded(app))
    app.screen.select_suite("slow-echo")
    await pilot.press("r")
    await wait_until(pilot, lambda: isinstance(app.screen, LaunchScreen))
    app.screen.query_one("#concurrency").value = "1"
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
    return str(app.screen.run_id)


def run_status(db: Path, run_id: str) -> str:
    with Store(db) as store:
        return str(store.get_run(run_id).status)


async def test_quitting_while_a_run_is_live_asks_first(
    make_tui: AppFactory, slow_dir: Path, db_path: Path
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        run_id = await launch_slow(pilot)
        await pilot.press("q")  # back home: the suite's row says its run is going
        await wait_until(pilot, lambda: isinstance(app.screen, SuitesScreen))
        await wait_until(pilot, lambda: "running" in suite_row(app, "slow-echo"))
        assert f"/{CASES}" in suite_row(app, "slow-echo")
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitScreen))
        question = screen_text(app.screen.query_one("#question", Static))
        assert question == "1 run is still running: quit and interrupt it?"
        await pilot.press("n")  # stay: the run goes on
        await wait_until(pilot, lambda: isinstance(app.screen, SuitesScreen))
        assert app.is_running and app.live.running_here(run_id)
        await pilot.press("ctrl+q")  # Textual's own quit key asks too
        await wait_until(pilot, lambda: isinstance(app.screen, QuitScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running)
    await wait_until_true(lambda: run_status(db_path, run_id) == "interrupted")


async def test_quitting_with_no_run_live_does_not_ask(make_tui: AppFactory, echo_run: str) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)


async def wait_until_true(condition, tries: int = 400) -> None:  # type: ignore[no-untyped-def]
    """For what happens after the app has gone: poll, bounded."""
    for _ in range(tries):
        if condition():
            return
        await asyncio.sleep(0.025)
    raise AssertionError("never happened")


def start_cli_run(db: Path, suite: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    """`evaltui run` in its own process, as in another terminal, on the same database."""
    return subprocess.Popen(
        [EVALTUI, "run", str(suite), "--db", str(db), "-c", "1", "-q", "--no-cache"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "EVALTUI_CONFIG": str(tmp_path / "cli-config.yaml")},
    )


async def test_a_run_of_another_process_is_followed_to_its_end(
    make_tui: AppFactory, slow_dir: Path, db_path: Path, tmp_path: Path, earlier: str
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        assert "running" not in suite_row(app, "slow-echo")
        process = start_cli_run(db_path, slow_dir / "slow.yaml", tmp_path)
        try:
            await wait_until(pilot, lambda: "running" in suite_row(app, "slow-echo"), steps=LONG)
            app.screen.select_suite("slow-echo")
            await pilot.press("enter")  # the latest run: the one just started elsewhere
            await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
            with Store(db_path) as store:
                newest = store.list_runs(suite="slow-echo")[0].id
            assert app.screen.run_id == newest != earlier
            await wait_until(pilot, lambda: "another process" in progress(app), steps=LONG)
            first = progress(app)
            await wait_until(pilot, lambda: progress(app) not in ("", first), steps=LONG)  # it moves
            assert "running" in header(app)
            await wait_until(pilot, lambda: "completed" in header(app), steps=LONG)
            await wait_until(pilot, lambda: f"✓ {CASES}" in header(app))
            assert progress(app) == ""
        finally:
            process.wait(timeout=60)


async def test_a_followed_run_whose_process_dies_shows_interrupted(
    make_tui: AppFactory, slow_dir: Path, db_path: Path, tmp_path: Path
) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        process = start_cli_run(db_path, slow_dir / "slow.yaml", tmp_path)
        try:
            await wait_until(pilot, lambda: "running" in suite_row(app, "slow-echo"), steps=LONG)
            app.screen.select_suite("slow-echo")
            await pilot.press("enter")
            await wait_until(pilot, lambda: "another process" in progress(app), steps=LONG)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            await wait_until(pilot, lambda: "interrupted" in header(app), steps=LONG)
            assert progress(app) == ""
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


async def test_the_latest_run_stays_the_newest_when_reads_finish_out_of_order(
    make_tui: AppFactory, echo_run: str, db_path: Path, suite_dir: Path
) -> None:
    """Two reads of the runs in flight at once (a run started, then another): the one that read
    the database first, if it finishes last, must not put the older list back on screen."""
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        screen = app.screen
        assert isinstance(screen, SuitesScreen)
        read_runs, held, release = app.store.list_runs, threading.Event(), threading.Event()

        def slow_first_read(**filters: object) -> list[dict]:
            runs = read_runs(**filters)
            if filters.get("suite") == "echo-check" and not held.is_set():
                held.set()  # this read has the old list; it finishes after the next one
                release.wait(timeout=30)
            return runs

        app.store.list_runs = slow_first_read  # type: ignore[method-assign]
        screen.select_suite("echo-check")
        detail = lambda: screen_text(screen.query_one("#detail", Static))  # noqa: E731
        app.run_changed.publish("a run")
        await wait_until(pilot, held.is_set)
        newer = await asyncio.to_thread(run_suite, db_path, suite_dir / "echo.yaml")
        app.run_changed.publish(newer)
        await wait_until(pilot, lambda: newer in detail())
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert newer in detail()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunScreen))
        assert app.screen.run_id == newer != echo_run


async def test_cancel_shows_in_the_footer_only_while_the_run_is_live_here(
    make_tui: AppFactory, slow_dir: Path
) -> None:
    """x cancels a run of this window: the footer offers it while the run goes on, not once it ended."""
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        run_id = await launch_slow(pilot)
        await wait_until(pilot, lambda: "Cancel run" in footer_descriptions(app))
        await pilot.press("x")
        await wait_until(pilot, lambda: not app.live.running_here(run_id), steps=LONG)
        await wait_until(pilot, lambda: "interrupted" in header(app), steps=LONG)
        await wait_until(pilot, lambda: "Cancel run" not in footer_descriptions(app))
        assert "Resume" in footer_descriptions(app)


class ThreadsSeen(dict):
    """A dict that notes the thread of every change made to it."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[str] = set()

    def __setitem__(self, key, value) -> None:
        self.threads.add(threading.current_thread().name)
        super().__setitem__(key, value)

    def pop(self, *args):
        self.threads.add(threading.current_thread().name)
        return super().pop(*args)


async def test_the_live_runs_this_window_keeps_change_on_the_ui_thread_only(
    make_tui: AppFactory, slow_dir: Path
) -> None:
    """The runs of this window are added as each starts (on its engine's thread) and removed when
    it ends (on the UI's): both changes must be made on the UI thread, where every reader is, or a
    run starting while another ends changes the dict under the reader's feet."""
    from evaltui.engine import RunOptions
    from evaltui.suites import load_suite
    from evaltui.suites.models import ModelSpec
    from evaltui.tui.requests import LaunchRequest

    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        runners = app.live._runners = ThreadsSeen()  # what is under test is where it changes
        suite = load_suite(slow_dir / "slow.yaml")
        models = [
            ModelSpec(provider="demo", model="echo", id=f"demo:{n}", params={"latency_ms": 0}) for n in "ab"
        ]
        app.live.launch(LaunchRequest(suite, models, RunOptions(concurrency=4)))
        await wait_until(pilot, lambda: len(app.store.list_runs(status="completed")) == 2, steps=LONG)
        await wait_until(pilot, lambda: not len(app.live))
        assert runners.threads == {threading.main_thread().name}
