"""A run the engine stops (its key refused, its endpoint unreachable) shows as failed in the TUI,
with the reason in a notification."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaltui.engine import RunOptions
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec
from evaltui.tui.requests import LaunchRequest
from tests.tui.conftest import AppFactory, record_notifications, suites_loaded, wait_until

from fake_api import FakeApi


async def test_a_refused_key_ends_the_run_failed_with_the_reason_in_a_notification(
    make_tui: AppFactory, suite_dir: Path, fake_api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUI_STOP_KEY", "sk-wrong")
    fake_api.fail_next("401")
    suite = load_suite(suite_dir / "echo.yaml")
    model = ModelSpec(provider="openai", model="fake", base_url=fake_api.base_url, api_key_env="TUI_STOP_KEY")
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: suites_loaded(app))
        app.live.launch(LaunchRequest(suite, [model], RunOptions(concurrency=1)))
        await wait_until(pilot, lambda: any("failed" in note for note in notes), steps=800)
        note = next(note for note in notes if "failed" in note)
        assert f"127.0.0.1:{fake_api.port} refused the request" in note and "HTTP 401" in note
        run = app.store.list_runs()[0]
        assert run.status == "failed"
