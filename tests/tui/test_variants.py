"""A suite with prompt variants launched from the TUI runs every variant on its model as one group;
the Compare screen of two variants shows the prompt diff above the cases."""

from __future__ import annotations

from pathlib import Path

from evaltui.tui.screens.compare import CompareScreen
from evaltui.tui.screens.launch import LaunchScreen
from tests.tui.conftest import AppFactory, screen_text, suites_loaded, wait_until

VARIANTS = """\
name: two-prompts
prompts:
  - {id: terse, prompt: "{{ input }}"}
  - {id: loud, prompt: "{{ input | upper }}"}
models:
  - {id: demo:echo, provider: demo, model: echo, params: {latency_ms: 0}}
scorers: [{type: equals}]
cases:
  - {id: a, input: same, expected: same}
  - {id: b, input: hi, expected: HI}
"""


async def test_a_two_variant_launch_is_compared_with_its_prompt_diff(
    make_tui: AppFactory, suite_dir: Path
) -> None:
    (suite_dir / "variants.yaml").write_text(VARIANTS, encoding="utf-8")
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        app.screen.select_suite("two-prompts")
        await pilot.pause()
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LaunchScreen))
        await pilot.press("enter")
        runs = lambda: app.store.list_runs(suite="two-prompts", status="completed")  # noqa: E731
        await wait_until(pilot, lambda: len(runs()) == 2)
        by_variant = {r.options["variant"]: r for r in runs()}
        assert {r.model_id for r in by_variant.values()} == {"demo:echo@terse", "demo:echo@loud"}
        assert by_variant["terse"].group_id == by_variant["loud"].group_id is not None
        app.open_compare(by_variant["terse"].id, by_variant["loud"].id)
        await wait_until(
            pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.comparison is not None
        )
        prompt = app.screen.query_one("#compare-prompt")
        assert prompt.display
        assert screen_text(prompt) == "user: {{ input | upper }}"  # the inline diff: "| upper" inserted
        assert (
            app.screen.comparison.counts.improvements == 1 and app.screen.comparison.counts.regressions == 1
        )
