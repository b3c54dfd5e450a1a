"""The Launch dialog refuses a model whose key variable is not set, with the CLI's message."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from evaltui.store import Store
from tests.tui.conftest import AppFactory, wait_until
from tests.tui.test_launch import error_shown, open_launch, type_into


async def test_a_hosted_model_without_its_key_is_refused_in_the_dialog(
    make_tui: AppFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_launch(pilot)
        await type_into(pilot, screen.query_one("#spec", Input), "openai:gpt-4o-mini")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "OPENAI_API_KEY" in error_shown(app))
        assert app.screen is screen and not app.live
    with Store(db_path) as store:
        assert store.count_runs() == 0
