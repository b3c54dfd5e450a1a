"""A run that cannot succeed stops: a dead endpoint within seconds, a refused key at the first
answer. It ends `failed` with the reason naming host:port, its unasked cases left for --resume."""

from __future__ import annotations

import asyncio
import threading

from evaltui.engine import CaseFinished, RunFinished, Runner, RunOptions
from evaltui.store import Store

from fake_api import FakeApi


def endpoint(api: FakeApi) -> str:
    return f"127.0.0.1:{api.port}"


async def test_a_server_killed_mid_run_stops_the_run_failed_and_resume_finishes_it(
    store: Store, make_suite, api_model, fake_api: FakeApi
) -> None:
    fake_api.latency_ms = 5
    prepared = make_suite(600)
    runner = Runner(store, prepared, api_model(), RunOptions(concurrency=8))
    killed = threading.Event()
    finished: list[RunFinished] = []

    def on_event(event: object) -> None:
        if isinstance(event, CaseFinished) and runner.stats.done >= 20 and not killed.is_set():
            killed.set()
            threading.Thread(target=fake_api.go_away).start()
        if isinstance(event, RunFinished):
            finished.append(event)

    runner.subscribe(on_event)
    run_id = await asyncio.wait_for(runner.run(), 120)  # a guard against a hang, not a timing claim

    run = store.get_run(run_id)
    assert killed.is_set() and run.status == "failed"
    reason = runner.stop_reason or ""
    assert f"{endpoint(fake_api)} cannot be reached" in reason and "cannot connect" in reason
    assert finished and finished[0].status == "failed" and finished[0].reason == reason
    rows = list(store.iter_results(run_id))
    assert 20 <= len(rows) < 600
    assert all(r.status in ("pass", "fail") for r in rows), "a dead endpoint is not the cases' error"

    fake_api.come_back()
    resumed = Runner(store, prepared, api_model(), RunOptions(concurrency=8), resume_run_id=run_id)
    await resumed.run()
    run = store.get_run(run_id)
    assert (run.status, run.done, run.errors) == ("completed", 600, 0)
    assert resumed.stop_reason is None


async def test_a_refused_key_stops_the_run_at_the_first_answer(
    store: Store, make_suite, api_model, fake_api: FakeApi
) -> None:
    fake_api.fail_next("401")
    runner = Runner(store, make_suite(50), api_model(), RunOptions(concurrency=1))
    run_id = await runner.run()
    assert store.get_run(run_id).status == "failed"
    assert fake_api.stats["requests"] == 1
    assert f"{endpoint(fake_api)} refused the request" in (runner.stop_reason or "")
    assert "HTTP 401" in (runner.stop_reason or "")
    assert list(store.iter_results(run_id)) == []  # the case was not answered: --resume asks it


async def test_a_403_with_many_requests_in_flight_stops_the_run_too(
    store: Store, make_suite, api_model, fake_api: FakeApi
) -> None:
    fake_api.latency_ms = 20
    fake_api.fail_when("case-30", "403")
    runner = Runner(store, make_suite(400), api_model(), RunOptions(concurrency=8))
    run_id = await runner.run()
    run = store.get_run(run_id)
    assert run.status == "failed" and run.done < 400 and run.errors == 0
    assert "HTTP 403" in (runner.stop_reason or "")


async def test_rate_limits_and_5xx_are_retried_as_before_and_do_not_stop_the_run(
    store: Store, make_suite, api_model, fake_api: FakeApi
) -> None:
    fake_api.fail_next(*(["429", "503", "500", "502"] * 3))
    runner = Runner(store, make_suite(12), api_model(max_retries=20), RunOptions(concurrency=4))
    run_id = await runner.run()
    run = store.get_run(run_id)
    assert (run.status, run.done, run.errors) == ("completed", 12, 0)
    assert runner.stop_reason is None
