"""A Pilot journey through an agent case: the Case screen shows each step of its trajectory (text,
tool calls with pretty-printed arguments, the results fed back), `]`/`[` step through it, and
hostile text in a tool result stays inert."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from evaltui.engine import RunOptions, prepare
from evaltui.engine.runner import run_many
from evaltui.store import Store
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec
from evaltui.tui.screens.case import CaseScreen
from evaltui.tui.screens.matrix import MatrixScreen, MatrixTable
from evaltui.tui.widgets.trajectory import Trajectory
from tests.tui.conftest import (
    AppFactory,
    record_notifications,
    run_suite,
    screen_text,
    table_lines,
    wait_until,
)
from tests.tui.test_annotate import open_case

AGENT_SUITE = """name: agent
prompt: "{{ input }}"
max_steps: 3
tools:
  - type: function
    function: {name: get_weather, parameters: {type: object, properties: {city: {type: string}}}}
models:
  - {id: demo:keyword, provider: demo, model: keyword, params: {latency_ms: 0}}
cases:
  - id: paris
    input: "What's the weather in Paris?"
    tool_results: {get_weather: "[bold red]18C[/] and \\x1b[31msunny"}
    scorers: [{type: tool-call, name: get_weather, arguments: {city: Paris}}]
  - id: hello
    input: "Hello there"
    scorers: [no-tool-call]
"""


@pytest.fixture
def agent_run(db_path: Path, tmp_path: Path) -> str:
    suite = tmp_path / "agent.yaml"
    suite.write_text(AGENT_SUITE, encoding="utf-8")
    return run_suite(db_path, suite)


async def test_a_multi_step_case_shows_its_trajectory_step_by_step(
    make_tui: AppFactory, agent_run: str
) -> None:
    run_id = agent_run
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await open_case(pilot, run_id, "paris")
        trajectory = screen.query_one(Trajectory)
        await wait_until(pilot, lambda: all(step.is_mounted for step in trajectory.steps))
        await pilot.pause()
        assert trajectory.display and trajectory.count == 2 and trajectory.current == 0
        first = screen_text(trajectory.steps[0])
        assert first.startswith("Step 1 of 2")
        assert "→ get_weather" in first and '"city": "Paris"' in first
        # the tool result as the suite wrote it: markup shown as text, the escape made visible
        assert "← result  [bold red]18C[/] and " in first and "\x1b" not in first
        assert "current" in trajectory.steps[0].classes

        await pilot.press("right_square_bracket")
        assert trajectory.current == 1 and "current" in trajectory.steps[1].classes
        second = screen_text(trajectory.steps[1])
        assert second.startswith("Step 2 of 2") and "(answered without calling a tool)" in second
        await pilot.press("right_square_bracket")
        assert trajectory.current == 1 and notes[-1] == "No step after this one."
        await pilot.press("left_square_bracket")
        assert trajectory.current == 0

        await app.pop_screen()
        app.open_case(run_id, "hello")
        await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.case_id == "hello")
        await wait_until(
            pilot, lambda: app.screen.shown is not None and app.screen.shown.result.case_id == "hello"
        )
        only = app.screen.query_one(Trajectory)
        assert only.count == 1 and "(answered without calling a tool)" in screen_text(only.steps[0])


@pytest.fixture
def agent_group(db_path: Path, tmp_path: Path) -> str:
    """The agent suite launched on demo:keyword and demo:rules together (one run group)."""
    suite_file = tmp_path / "agent.yaml"
    suite_file.write_text(AGENT_SUITE, encoding="utf-8")
    suite = load_suite(suite_file)
    specs = [ModelSpec(provider="demo", model=m, params={"latency_ms": 0}) for m in ("keyword", "rules")]
    with Store(db_path) as store:
        run_ids = asyncio.run(run_many(store, prepare(suite), specs, RunOptions(concurrency=2)))
        return str(store.get_run(run_ids[0]).group_id)


async def test_the_matrix_counts_each_models_tool_calls(make_tui: AppFactory, agent_group: str) -> None:
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        app.open_matrix(agent_group)
        await wait_until(pilot, lambda: isinstance(app.screen, MatrixScreen) and bool(app.screen.models))
        table = app.screen.query_one(MatrixTable)
        await wait_until(pilot, lambda: table.total == 2 and "…" not in table_lines(table)[1])
        rows = {line.split()[0]: line.split()[1:3] for line in table_lines(table)[1:3]}
        # keyword calls get_weather once; rules takes the last capitalised word ("Paris") too
        assert rows["paris"] == ["✓1", "✓1"]
        assert rows["hello"] == ["✓", "✓"]  # no calls: the bare mark


async def test_a_case_with_a_trajectory_shows_again_after_a_label(
    make_tui: AppFactory, agent_run: str
) -> None:
    """Labelling re-reads the case on screen: its trajectory is drawn again in place, with no clash
    between the steps being replaced and the new ones (it used to fail with DuplicateIds)."""
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await open_case(pilot, agent_run, "paris")
        trajectory = screen.query_one(Trajectory)
        shown = screen.shown
        screen.annotated(agent_run, "paris")  # what a label or a note does once it is stored
        await wait_until(pilot, lambda: screen.shown is not shown)
        await pilot.pause()
        assert not [n for n in notes if "failed" in n.lower() or "Duplicate" in n]
        assert trajectory.count == 2 and len(trajectory.query(".step")) == 2 == len(set(trajectory.steps))
        await pilot.press("right_square_bracket")
        assert trajectory.current == 1
