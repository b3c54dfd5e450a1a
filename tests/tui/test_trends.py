"""`T` on Suites opens the suite's Trends: one line per model, the drop flagged, flipping cases
listed; `evaltui trends` prints the same points."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from textual_plotext import PlotextPlot

from evaltui.analysis.metrics import run_metrics
from evaltui.store import Store
from evaltui.suites.models import Case, ModelSpec, Suite
from evaltui.tui.screens.trends import TrendsScreen
from tests.store.factories import result_row
from tests.tui.conftest import AppFactory, screen_text, suites_loaded, wait_until

CASES = 40


def write_history(
    db_path: Path, name: str, model: str, passes: list[int], flipper: str = "c000", **row: object
) -> list[str]:
    """Completed runs of `name` on `model`, the i-th passing its first passes[i] cases; the
    `flipper` case passes in every other run whatever the count."""
    suite = Suite(
        name=name, prompt="{{ input }}", cases=[Case(id=f"c{i:03d}", input=str(i)) for i in range(CASES)]
    )
    ids = []
    with Store(db_path) as store:
        suite_id = store.save_suite(suite)
        for index, passed in enumerate(passes):
            run_id = store.create_run(
                suite_id=suite_id, model=ModelSpec(provider="demo", model=model), total=CASES
            )
            writer = store.writer()
            for i in range(CASES):
                ok = (index % 2 == 0) if f"c{i:03d}" == flipper else i < passed
                writer.put(result_row(run_id, f"c{i:03d}", "pass" if ok else "fail", **row))
            writer.close()
            store.finish_run(run_id, "completed", run_metrics(store.iter_metric_rows(run_id)))
            ids.append(run_id)
    return ids


@pytest.fixture
def history(db_path: Path) -> list[str]:
    write_history(db_path, "echo-check", "rules", [36, 35, 36, 37, 36, 36])
    return write_history(db_path, "echo-check", "keyword", [34, 35, 34, 35, 14])


async def open_trends(pilot, suite: str) -> TrendsScreen:  # type: ignore[no-untyped-def]
    """`T` on the suite's row of the Suites screen, until its trends are read."""
    app = pilot.app
    await wait_until(pilot, lambda: suites_loaded(app))
    app.screen.select_suite(suite)
    await pilot.press("T")
    await wait_until(pilot, lambda: isinstance(app.screen, TrendsScreen) and app.screen.trends is not None)
    return app.screen


async def test_t_opens_trends_with_a_line_per_model_and_the_drop_flagged(
    make_tui: AppFactory, history: list[str]
) -> None:
    app = make_tui()
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_trends(pilot, "echo-check")
        head = screen_text(screen.query_one("#trends-head"))
        assert "11 completed run(s), 2 model(s)" in head
        assert f"▼ drop: demo:keyword run {history[-1]} at 35.0%" in head
        assert "c000" in screen_text(screen.query_one("#trends-flips"))
        await pilot.pause(0.2)
        drawn = screen.query_one("#trends-pass", PlotextPlot).render().plain  # type: ignore[union-attr]
        assert "demo:keyword" in drawn and "demo:rules" in drawn and "▼" in drawn
        await pilot.press("q")
        await wait_until(pilot, lambda: not isinstance(app.screen, TrendsScreen))


async def test_a_chart_no_run_has_a_value_for_says_so(make_tui: AppFactory, db_path: Path) -> None:
    """No price known for the model: the cost chart says the cost is not known, rather than stay
    empty (or draw $0), while the latency chart draws its line."""
    write_history(db_path, "echo-check", "keyword", [30, 31, 32], cost_usd=None)
    app = make_tui()
    async with app.run_test(size=(140, 45)) as pilot:
        await open_trends(pilot, "echo-check")
        await pilot.pause(0.2)
        cost = app.screen.query_one("#trends-cost", PlotextPlot).render().plain  # type: ignore[union-attr]
        latency = app.screen.query_one("#trends-latency", PlotextPlot).render().plain  # type: ignore[union-attr]
        assert "not known for any run" in cost and "0.00" not in cost
        assert "not known" not in latency and "demo:keyword" in latency


async def test_a_cost_of_nothing_is_drawn_on_an_axis_that_starts_at_zero(
    make_tui: AppFactory, db_path: Path
) -> None:
    """Runs answered from the cache spent $0: the cost axis reads 0 upwards, not -1.00 to 1.00
    (a cost, like a latency, is never below nothing)."""
    write_history(db_path, "echo-check", "keyword", [30, 31, 32], cost_usd=0.0)
    app = make_tui()
    async with app.run_test(size=(140, 45)) as pilot:
        await open_trends(pilot, "echo-check")
        await pilot.pause(0.2)
        for chart in ("#trends-cost", "#trends-latency"):
            drawn = app.screen.query_one(chart, PlotextPlot).render().plain  # type: ignore[union-attr]
            axis = [line.split("┤")[0].strip() for line in drawn.splitlines() if "┤" in line]
            assert axis and all(not label.startswith("-") for label in axis), drawn


def test_evaltui_trends_json_has_the_same_points(db_path: Path, history: list[str], tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("evaltui")
    env = {"EVALTUI_DB": str(db_path), "EVALTUI_CONFIG": str(tmp_path / "c.yaml"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([cli, "trends", "echo-check", "--json"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [p["run_id"] for p in data["models"]["demo:keyword"]] == history
    assert data["drops"] == [history[-1]]
    assert data["flips"][0]["case_id"] == "c000" and data["flips"][0]["flips"] == 4 + 5
    only = subprocess.run(
        [cli, "trends", "echo-check", "--model", "demo:rules", "--json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert list(json.loads(only.stdout)["models"]) == ["demo:rules"]
