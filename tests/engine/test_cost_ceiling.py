"""A run stops asking when what it spent reaches its cost ceiling: the requests in flight finish,
it ends `stopped` with the reason kept, and `--resume` finishes it."""

from __future__ import annotations

import pytest

from evaltui.engine import RunFinished, Runner, RunOptions
from evaltui.store import Store

from fake_api import FakeApi

# The fake API counts words: "Q: case-7" is 2 tokens in, "CASE-7" 1 out. At $1 a token, $3 a case.
DOLLAR_A_TOKEN = {"input_per_mtok": 1_000_000, "output_per_mtok": 1_000_000}
CASE_COST = 3.0


async def test_a_run_stops_at_its_cost_ceiling_and_resume_finishes_it(
    store: Store, make_suite, api_model, fake_api: FakeApi
) -> None:
    prepared = make_suite(50)
    model = api_model(price=DOLLAR_A_TOKEN)
    ended: list[RunFinished] = []
    runner = Runner(store, prepared, model, RunOptions(concurrency=2, max_cost_usd=30))
    runner.subscribe(lambda event: ended.append(event) if isinstance(event, RunFinished) else None)
    run_id = await runner.run()

    run = store.get_run(run_id)
    assert run.status == "stopped" and 10 <= run.done < 50
    assert 30 <= run.cost_usd <= 30 + 2 * CASE_COST, "more spent than the requests in flight"
    assert "reached the cost ceiling of $30" in run.stop_reason
    assert ended[0].reason == run.stop_reason and runner.stop_reason is None  # not a failure
    assert ended[0].status == "stopped"
    assert sum(fake_api.requests.values()) == run.done, "a case was asked and not recorded"

    resumed = Runner(store, prepared, model, RunOptions(concurrency=2), resume_run_id=run_id)
    await resumed.run()
    run = store.get_run(run_id)
    assert (run.status, run.done, run.stop_reason) == ("completed", 50, None)


async def test_a_ceiling_reached_by_the_last_case_completes_the_run(
    store: Store, make_suite, api_model
) -> None:
    runner = Runner(
        store, make_suite(5), api_model(price=DOLLAR_A_TOKEN), RunOptions(concurrency=1, max_cost_usd=15)
    )
    run = store.get_run(await runner.run())
    assert (run.status, run.done, run.stop_reason) == ("completed", 5, None)


async def test_a_stopped_run_is_left_stopped_by_stale_run_detection(
    store: Store, make_suite, api_model
) -> None:
    """Its process is gone, as every finished run's is: it is not `running`, so nothing marks it."""
    runner = Runner(store, make_suite(20), api_model(price=DOLLAR_A_TOKEN), RunOptions(max_cost_usd=3))
    run_id = await runner.run()
    store.conn().execute("UPDATE runs SET pid = 999999999 WHERE id = ?", (run_id,))  # a pid long gone
    assert store.mark_stale_runs() == []
    assert store.get_run(run_id).status == "stopped"


async def test_a_model_that_cannot_be_set_up_fails_the_run_with_the_reason_kept(
    store: Store, make_suite
) -> None:
    from evaltui.errors import EvaltuiError
    from evaltui.suites.models import ModelSpec

    model = ModelSpec(id="bad", provider="python", model="nosuchmodule_xyz:answer")
    runner = Runner(store, make_suite(3), model, RunOptions())
    with pytest.raises(EvaltuiError, match="cannot import"):
        await runner.run()
    (run,) = store.list_runs()
    assert run.status == "failed"
    assert "cannot import 'nosuchmodule_xyz'" in (run.stop_reason or "")
