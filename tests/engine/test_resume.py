"""Resuming a run finishes the run that was started (engine.resume.plan_resume): its cases, its
epochs, its cache setting; `retry_errors` asks exactly the errored cases again."""

from __future__ import annotations

import pytest

from evaltui.engine import CaseFinished, Runner, RunOptions
from evaltui.engine.resume import plan_resume
from evaltui.errors import EvaltuiError


def by_case(store, run_id: str) -> dict[str, dict]:
    return {row.case_id: row for row in store.iter_results(run_id)}


async def errored_run(store, prepared, model, fake_api, **options) -> str:
    """A run of the first 8 cases without the cache in which c3 and c4 errored."""
    fake_api.fail_when("case-3", "500")
    fake_api.fail_when("case-4", "500")
    run_id = await Runner(store, prepared, model, RunOptions(limit=8, use_cache=False, **options)).run()
    assert {cid for cid, r in by_case(store, run_id).items() if r.status == "error"} == {"c3", "c4"}
    return run_id


async def test_retry_errors_asks_exactly_the_errored_cases_and_keeps_the_others(
    store, make_suite, api_model, fake_api
):
    prepared = make_suite(12)
    model = api_model(max_retries=0)
    await Runner(store, prepared, model).run()  # every case's answer is in the cache
    run_id = await errored_run(store, prepared, model, fake_api, concurrency=3)
    before = by_case(store, run_id)
    asked = dict(fake_api.requests)

    plan = plan_resume(store, run_id, retry_errors=True)
    assert (plan.missing, plan.errors, plan.to_ask) == (0, 2, 2)
    assert (plan.options.limit, plan.options.use_cache, plan.options.concurrency) == (8, False, 3)
    runner = plan.runner(store)
    assert await runner.run() == run_id

    asked_now = {text: n - asked.get(text, 0) for text, n in fake_api.requests.items()}
    assert {text for text, n in asked_now.items() if n} == {"Q: case-3", "Q: case-4"}
    after = by_case(store, run_id)
    assert set(after) == {f"c{i}" for i in range(8)}
    assert (after["c3"].status, after["c3"].cached, after["c4"].status) == ("pass", False, "pass")
    for case_id in set(after) - {"c3", "c4"}:
        assert after[case_id] == before[case_id]
    run = store.get_run(run_id)
    counters = (run.status, run.total, run.done, run.passed, run.failed, run.errors)
    assert counters == ("completed", 8, 8, 6, 2, 0)  # c2 and c5 fail (lower-case expected)
    stats = runner.stats
    assert (stats.total, stats.done, stats.passed, stats.failed, stats.errors) == (8, 8, 6, 2, 0)


async def test_a_case_that_errors_again_on_retry_stays_one_error(store, make_suite, api_model, fake_api):
    prepared = make_suite(12)
    run_id = await errored_run(store, prepared, api_model(max_retries=0), fake_api)
    fake_api.fail_when("case-4", "500")
    await plan_resume(store, run_id, retry_errors=True).runner(store).run()
    run = store.get_run(run_id)
    assert (run.total, run.done, run.errors) == (8, 8, 1)
    assert by_case(store, run_id)["c4"].attempts == 1


async def test_resume_without_retry_errors_leaves_the_errored_cases_alone(
    store, make_suite, api_model, fake_api
):
    run_id = await errored_run(store, make_suite(12), api_model(max_retries=0), fake_api)
    plan = plan_resume(store, run_id)
    message = plan.nothing_to_do()
    assert plan.to_ask == 0 and message is not None
    assert "nothing missing" in message and f"--resume {run_id} --retry-errors" in message
    assert "2 of them errored" in message


async def test_a_completed_run_without_errors_has_nothing_to_do_and_no_retry_hint(
    store, make_suite, api_model
):
    run_id = await Runner(store, make_suite(4), api_model(), RunOptions(use_cache=False)).run()
    message = plan_resume(store, run_id).nothing_to_do()
    assert message is not None and "nothing missing" in message and "retry" not in message


async def test_an_interrupted_run_started_without_the_cache_is_finished_by_asking_the_model(
    store, make_suite, api_model, fake_api
):
    prepared = make_suite(30)
    await Runner(store, prepared, api_model()).run()  # every case's answer is in the cache
    for i in range(5, 20):  # past the fifth case the requests hang until the cancel (see test_runner)
        fake_api.fail_when(f"Q: case-{i}", "hang")
    runner = Runner(
        store, prepared, api_model(timeout_s=60), RunOptions(limit=20, use_cache=False, concurrency=2)
    )
    seen: list[str] = []

    def cancel_after_five(event: object) -> None:
        if isinstance(event, CaseFinished):
            seen.append(event.case_id)
            if len(seen) == 5:
                runner.cancel()

    runner.subscribe(cancel_after_five)
    run_id = await runner.run()
    kept = {case_id for case_id, _ in store.finished_keys(run_id)}
    assert kept == set(seen) == {f"c{i}" for i in range(5)}
    fake_api.faults_for.clear()
    asked = dict(fake_api.requests)

    plan = plan_resume(store, run_id)
    assert plan.options.use_cache is False and plan.missing == 20 - len(kept)
    await plan.runner(store).run()
    results = by_case(store, run_id)
    assert set(results) == {f"c{i}" for i in range(20)}
    for case_id in set(results) - kept:
        assert not results[case_id].cached
        assert fake_api.requests[f"Q: case-{case_id[1:]}"] == asked[f"Q: case-{case_id[1:]}"] + 1
    run = store.get_run(run_id)
    assert (run.status, run.total, run.done) == ("completed", 20, 20)


async def test_no_cache_on_resume_asks_the_model_even_if_the_run_used_the_cache(
    store, make_suite, api_model, fake_api
):
    prepared = make_suite(6)
    await Runner(store, prepared, api_model()).run()
    run_id = await Runner(store, prepared, api_model(), RunOptions(limit=3)).run()
    store.write(lambda conn: conn.execute("DELETE FROM results WHERE case_id = 'c1'"), what="a test")
    plan = plan_resume(store, run_id, no_cache=True)
    assert plan.options.use_cache is False and plan.missing == 1
    await plan.runner(store).run()
    assert fake_api.requests["Q: case-1"] == 2 and not by_case(store, run_id)["c1"].cached


async def test_a_run_of_an_older_evaltui_is_resumed_only_with_a_selection_of_its_size(
    store, make_suite, api_model
):
    prepared = make_suite(10)
    run_id = await Runner(store, prepared, api_model(), RunOptions(limit=4)).run()
    store.write(lambda conn: conn.execute("UPDATE runs SET options = NULL"), what="an older run")
    with pytest.raises(EvaltuiError, match=r"started with 4 cases .* choose 10"):
        plan_resume(store, run_id)
    plan = plan_resume(store, run_id, limit=4)
    assert plan.started is None and plan.missing == 0
    assert any("older evaltui" in note for note in plan.notes)


async def test_a_run_still_running_is_not_resumed(store, make_suite, api_model):
    prepared = make_suite(2)
    suite_id = store.save_suite(prepared.suite)
    run_id = store.create_run(suite_id=suite_id, model=api_model(), total=2)
    with pytest.raises(EvaltuiError, match="still running"):
        plan_resume(store, run_id)


async def test_a_suite_models_header_values_come_back_on_resume(store, make_suite, api_model):
    model = api_model(id="fake-h", headers={"X-Team": "evals"})
    extra = (
        f"models:\n  - {{id: fake-h, provider: openai, model: fake, base_url: '{model.base_url}', "
        "api_key_env: ENGINE_TEST_KEY, max_retries: 2, timeout_s: 5, headers: {X-Team: evals}}\n"
    )
    prepared = make_suite(3, extra=extra)
    run_id = await Runner(store, prepared, prepared.suite.models[0], RunOptions(limit=1)).run()
    plan = plan_resume(store, run_id)
    assert plan.model.headers == {"X-Team": "evals"} and plan.notes == ()


async def test_a_resume_looks_finished_cases_up_a_batch_at_a_time_without_holding_every_key(
    store, make_suite, api_model, fake_api, monkeypatch
):
    """Two epochs; results missing across batch edges (3 cases a batch) and two cases errored: the
    resume counts and asks exactly those, and never reads the run's whole set of keys."""
    monkeypatch.setattr("evaltui.engine.plan.RESUME_BATCH", 3)
    fake_api.fail_when("case-3", "500", "500")  # both epochs
    fake_api.fail_when("case-7", "500", "500")
    prepared = make_suite(12)
    options = RunOptions(epochs=2, use_cache=False)
    run_id = await Runner(store, prepared, api_model(max_retries=0), options).run()
    gone = [("c0", 1), ("c2", 0), ("c3", 1), ("c5", 0), ("c5", 1), ("c11", 1)]
    with store.conn() as conn:
        for case_id, epoch in gone:
            conn.execute(
                "DELETE FROM results WHERE run_id = ? AND case_id = ? AND epoch = ?", (run_id, case_id, epoch)
            )
    store.set_run_status(run_id, "interrupted")
    fake_api.faults_for.clear()

    def whole_set(*args, **kwargs):
        raise AssertionError("a resume must not read every finished key of the run")

    monkeypatch.setattr(type(store), "finished_keys", whole_set)
    plan = plan_resume(store, run_id, retry_errors=True)
    assert (plan.missing, plan.errors, plan.to_ask) == (6, 3, 9)  # c3/0, c7/0 and c7/1 errored
    asked = dict(fake_api.requests)
    await plan.runner(store).run()
    asked_now = {text: n - asked.get(text, 0) for text, n in fake_api.requests.items()}
    want = {"Q: case-0": 1, "Q: case-2": 1, "Q: case-3": 2, "Q: case-5": 2, "Q: case-7": 2, "Q: case-11": 1}
    assert {text: n for text, n in asked_now.items() if n} == want
    run = store.get_run(run_id)
    assert (run.status, run.total, run.done, run.errors) == ("completed", 24, 24, 0)


async def test_a_resumed_runs_live_figures_count_what_it_already_held(store, make_suite, api_model):
    """A resumed run's live line counted the results it held in its pass/fail counts but not in
    its cached answers, tokens and cost ('of 832 scored' beside this session's tokens alone, and
    its '300 cached' gone): every live figure now starts from what the run holds, so the line's
    last figures are the stored run's."""
    prepared = make_suite(12)
    model = api_model(price={"input_per_mtok": 1_000_000, "output_per_mtok": 2_000_000})
    await Runner(store, prepared, model, RunOptions(limit=3)).run()  # c0-c2's answers in the cache
    run_id = await Runner(store, prepared, model, RunOptions(limit=8)).run()  # c0-c2 cached
    store.write(lambda conn: conn.execute("DELETE FROM results WHERE case_id IN ('c6', 'c7')"), what="a test")
    runner = plan_resume(store, run_id, no_cache=True).runner(store)  # c6, c7 asked again
    await runner.run()
    run, stats = store.get_run(run_id), runner.stats
    assert (stats.done, stats.cached) == (8, 3)
    assert run.tokens_in > 0 and run.cost_usd
    assert (stats.tokens_in, stats.tokens_out) == (run.tokens_in, run.tokens_out)
    assert stats.cost_usd == pytest.approx(run.cost_usd)
