"""The Runner against a real HTTP server on loopback and a real SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import threading
from functools import partial

import pytest

from evaltui.analysis.metrics import fresh_latency, run_metrics, stored_run_metrics
from evaltui.analysis.stats import spread
from evaltui.engine import CaseFinished, RunFinished, Runner, RunOptions, RunStarted, prepare, run_many
from evaltui.engine.events import event_to_dict
from evaltui.errors import ProviderError
from evaltui.store import Store
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec

from fake_api import Fault


def results_by_case(store: Store, run_id: str) -> dict[str, dict]:
    return {row.case_id: row for row in store.iter_results(run_id)}


async def test_a_run_records_pass_and_fail_per_case_and_completes(store, make_suite, api_model, fake_api):
    prepared = make_suite(9)
    run_id = await Runner(store, prepared, api_model(), RunOptions(concurrency=4)).run()
    results = results_by_case(store, run_id)
    assert len(results) == 9
    assert {cid for cid, r in results.items() if r.status == "fail"} == {"c2", "c5", "c8"}
    assert results["c0"].output == "CASE-0"
    assert results["c0"].scores[0].passed is True
    run = store.get_run(run_id)
    assert (run.status, run.passed, run.failed, run.errors) == ("completed", 6, 3, 0)
    assert run.tokens_in > 0


async def test_transport_failure_after_retries_is_an_error_not_a_fail(store, make_suite, api_model, fake_api):
    fake_api.fail_when("case-1", "500", "502", "503")  # more than max_retries=2 allows
    fake_api.fail_when("case-4", "malformed", "malformed", "malformed")
    run_id = await Runner(store, make_suite(6), api_model(), RunOptions(concurrency=3)).run()
    results = results_by_case(store, run_id)
    assert results["c1"].status == "error" and results["c1"].attempts == 3
    assert results["c1"].error and results["c1"].scores == ()
    assert results["c4"].status == "error"
    assert {r.status for cid, r in results.items() if cid not in {"c1", "c4"}} <= {"pass", "fail"}
    assert store.get_run(run_id).status == "completed"


async def test_rate_limit_with_retry_after_is_retried_and_attempts_recorded(
    store, make_suite, api_model, fake_api
):
    fake_api.fail_when("case-0", Fault("429", retry_after="0"), Fault("503", retry_after="0"))
    run_id = await Runner(store, make_suite(3), api_model(), RunOptions(concurrency=2)).run()
    result = results_by_case(store, run_id)["c0"]
    assert (result.status, result.attempts) == ("pass", 3)
    assert fake_api.requests["Q: case-0"] == 3


async def test_a_hanging_request_times_out_as_an_error(store, make_suite, api_model, fake_api):
    fake_api.fail_when("case-2", "hang")
    model = api_model(timeout_s=0.3, max_retries=0)
    run_id = await Runner(store, make_suite(3), model, RunOptions(concurrency=3)).run()
    result = results_by_case(store, run_id)["c2"]
    assert result.status == "error" and "timed out" in result.error


async def test_cached_answers_are_not_asked_again_and_are_marked(store, make_suite, api_model, fake_api):
    prepared = make_suite(5)
    await Runner(store, prepared, api_model(), RunOptions()).run()
    assert fake_api.stats["requests"] == 5
    second = await Runner(store, prepared, api_model(), RunOptions()).run()
    assert fake_api.stats["requests"] == 5
    assert all(r.cached for r in store.iter_results(second))
    third = await Runner(store, prepared, api_model(), RunOptions(use_cache=False)).run()
    assert fake_api.stats["requests"] == 10
    assert not any(r.cached for r in store.iter_results(third))


async def test_case_finished_is_emitted_only_once_the_result_is_in_the_database(
    store, make_suite, api_model, tmp_db_path
):
    reader = Store(tmp_db_path)
    seen_missing: list[str] = []
    events: list[object] = []

    def watch(event: object) -> None:
        events.append(event)
        if isinstance(event, CaseFinished) and reader.get_result(event.run_id, event.case_id) is None:
            seen_missing.append(event.case_id)

    runner = Runner(store, make_suite(20), api_model(), RunOptions(concurrency=8))
    runner.subscribe(watch)
    await runner.run()
    reader.close()
    assert seen_missing == []
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    assert sum(isinstance(e, CaseFinished) for e in events) == 20
    assert runner.stats.done == 20 and runner.stats.passed + runner.stats.failed == 20


async def test_a_display_that_draws_no_single_case_is_told_of_none(store, make_suite, api_model):
    class RunsOnly(list):  # a display keeping every event it is told
        cases = False
        __call__ = list.append

    every: list[object] = []
    runs_only = RunsOnly()
    runner = Runner(store, make_suite(12), api_model(), RunOptions(concurrency=4), subscribers=(runs_only,))
    runner.subscribe(every.append)
    await runner.run()
    assert sum(isinstance(e, CaseFinished) for e in every) == 12
    assert runs_only == [e for e in every if not isinstance(e, CaseFinished)]
    assert isinstance(runs_only[0], RunStarted) and isinstance(runs_only[-1], RunFinished)


async def test_run_finished_carries_the_stored_counters_as_the_events_stream_prints_them(
    store, make_suite, api_model
):
    ended: list[RunFinished] = []
    runner = Runner(store, make_suite(9), api_model(), RunOptions(concurrency=4))
    runner.subscribe(lambda event: ended.append(event) if isinstance(event, RunFinished) else None)
    run_id = await runner.run()
    run = store.get_run(run_id)
    (event,) = ended
    assert event_to_dict(event)["counters"] == {
        "total": 9, "done": 9, "passed": 6, "failed": 3, "errors": 0,
        "tokens_in": run.tokens_in, "tokens_out": run.tokens_out, "cost_usd": run.cost_usd,
    }  # fmt: skip
    assert run.tokens_in > 0


async def test_cancel_keeps_finished_results_and_resume_asks_only_the_missing(
    store, make_suite, api_model, fake_api
):
    # Past the tenth case the requests hang until the cancel: results are reported as they are
    # committed, which on a loaded machine came only after every case had been asked, and the run
    # then completed before the cancel.
    for i in range(10, 40):
        fake_api.fail_when(f"Q: case-{i}", "hang")
    prepared = make_suite(40)
    runner = Runner(store, prepared, api_model(timeout_s=60), RunOptions(concurrency=4))
    finished: list[str] = []

    def cancel_after_ten(event: object) -> None:
        if isinstance(event, CaseFinished):
            finished.append(event.case_id)
            if len(finished) == 10:
                runner.cancel()

    runner.subscribe(cancel_after_ten)
    run_id = await runner.run()
    run = store.get_run(run_id)
    assert run.status == "interrupted"
    kept = {cid for cid, _ in store.finished_keys(run_id)}
    assert kept == set(finished) == {f"c{i}" for i in range(10)}
    fake_api.faults_for.clear()
    asked_before = fake_api.stats["requests"]

    resumed = Runner(
        store, prepared, api_model(), RunOptions(concurrency=4, use_cache=False), resume_run_id=run_id
    )
    assert await resumed.run() == run_id
    run = store.get_run(run_id)
    assert run.status == "completed" and run.done == 40
    assert fake_api.stats["requests"] - asked_before == 40 - len(kept)
    for case_id in kept:
        assert fake_api.requests[f"Q: case-{case_id[1:]}"] == 1


async def test_several_models_make_one_run_each_in_one_group(store, make_suite, api_model):
    prepared = make_suite(6)
    models = [api_model(id="fake-a"), ModelSpec(provider="demo", model="echo", params={"latency_ms": 0})]
    run_ids = await run_many(store, prepared, models, RunOptions(concurrency=4))
    runs = [store.get_run(r) for r in run_ids]
    assert [r.model_id for r in runs] == ["fake-a", "demo:echo"]
    assert runs[0].group_id and runs[0].group_id == runs[1].group_id
    assert all(r.done == 6 for r in runs)


async def test_an_outside_cancellation_marks_the_run_interrupted(store, make_suite, api_model, fake_api):
    fake_api.fail_when("case-7", "hang")  # the run cannot end before it is cancelled
    runner = Runner(store, make_suite(8), api_model(timeout_s=60), RunOptions(concurrency=2))
    started = asyncio.Event()
    runner.subscribe(lambda event: started.set() if isinstance(event, RunStarted) else None)
    task = asyncio.create_task(runner.run())
    # Cancelled once it asks: a fixed half second was, on a loaded machine, before the run was
    # even created (its planning thread still going), so there was no run to be interrupted.
    await started.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert store.get_run(runner.run_id).status == "interrupted"


async def test_a_run_cancelled_while_it_is_planned_ends_interrupted_not_running(
    store, make_suite, api_model, monkeypatch
):
    """Planning runs on a thread that a cancellation cannot stop, and it makes the run's rows: the
    run must end in the file as a cancelled run does, not stay `running` until a later start finds
    the process gone."""
    planning, cancelled, created = threading.Event(), threading.Event(), threading.Event()
    new_run = store.new_run

    def new_run_once_cancelled(*args, **kwargs):
        planning.set()
        cancelled.wait(30)
        try:
            return new_run(*args, **kwargs)
        finally:
            created.set()

    monkeypatch.setattr(store, "new_run", new_run_once_cancelled)
    events: list[object] = []
    options = RunOptions(concurrency=2)
    runner = Runner(store, make_suite(4), api_model(), options, subscribers=(events.append,))
    task = asyncio.create_task(runner.run())
    assert await asyncio.to_thread(planning.wait, 30)
    task.cancel()
    cancelled.set()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert await asyncio.to_thread(created.wait, 30)
    [run] = store.list_runs()
    assert (run.status, run.done, run.finished_at is not None) == ("interrupted", 0, True)
    assert not any(isinstance(event, RunStarted) for event in events)  # it never started asking


async def test_judge_calls_are_recorded_with_their_own_tokens(store, tmp_path):
    path = tmp_path / "judged.yaml"
    path.write_text(
        "name: judged\nprompt: 'Answer: {{ input }}'\n"
        "scorers:\n  - type: llm-judge\n    rubric: The answer states the capital of France.\n"
        "    model: demo:judge\n"
        "cases:\n  - {id: q1, input: Paris is the capital of France, expected: Paris}\n"
    )
    prepared = prepare(load_suite(path))
    run_id = await Runner(store, prepared, ModelSpec(provider="demo", model="echo"), RunOptions()).run()
    result = next(store.iter_results(run_id))
    assert result.judge.calls == 1
    assert result.judge.tokens_in > 0 and result.judge.tokens_out > 0
    assert result.scores[0].reason


async def test_a_model_that_cannot_be_set_up_ends_the_run_failed(store, make_suite):

    runner = Runner(store, make_suite(3), ModelSpec(provider="python", model="no_such_module_xyz:fn"))
    with pytest.raises(ProviderError):
        await runner.run()
    assert store.get_run(runner.run_id).status == "failed"


@pytest.mark.parametrize(
    ("epochs", "cached", "kept"), [(3, False, 5), (1, False, 5), (1, True, 5), (2, True, 5), (1, False, None)]
)
async def test_the_metrics_a_run_folds_as_it_goes_equal_those_read_back_from_the_store(
    store, tmp_path, monkeypatch, epochs, cached, kept
):
    """Results finish out of order (random delays), over several epochs or one (folded without a
    tally per case), with tags, clusters, errors, costs and (`cached`) answers from the response
    cache: the metrics kept at the end of the run are those the store's rows give, the latency
    percentiles (past `kept` latencies counted during the run and read from the rows at its end)
    and the cost to the bit."""
    if kept is not None:
        monkeypatch.setattr("evaltui.analysis.metrics.KEPT_LATENCIES", kept)
    (tmp_path / "scrambled_model.py").write_text(
        "import asyncio, random\n"
        "asked = {}\n"
        "async def ask(messages, vars):\n"
        "    text = messages[-1]['content']\n"
        "    n = asked[text] = asked.get(text, 0) + 1  # read before the sleep: epochs overlap\n"
        "    await asyncio.sleep(random.random() / 200)\n"
        "    if text.endswith('7'):\n"
        "        raise ValueError('no answer for sevens')\n"
        "    flip = (sum(map(ord, text)) + n) % 3 == 0\n"
        "    out = vars['expected'] if not flip else 'wrong'\n"
        "    return {'output': out, 'tokens_in': len(text), 'tokens_out': 2, 'cost_usd': 0.1 / len(text)}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    rng = random.Random(7)
    rows = [
        {
            "id": f"k{i}",
            "input": f"item {i}",
            "expected": f"answer {i % 4}",
            "tags": rng.sample(["math", "geo", "long"], rng.randint(0, 2)),
            **({"cluster": f"doc{i % 5}"} if i % 2 else {}),
        }
        for i in range(60)
    ]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    path = tmp_path / "suite.yaml"
    path.write_text(
        f"name: folded\nprompt: '{{{{ input }}}}'\nepochs: {epochs}\n"
        "scorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    model = ModelSpec(provider="python", model="scrambled_model:ask", max_retries=0)
    prepared = prepare(load_suite(path))
    if cached:  # the first 25 cases' answers go into the cache; the run below replays them
        await Runner(store, prepared, model, RunOptions(concurrency=8, limit=25, epochs=1)).run()
    options = RunOptions(concurrency=8, use_cache=cached)
    run_id = await Runner(store, prepared, model, options).run()
    kept = store.get_run(run_id).metrics
    read_back = run_metrics(store.iter_metric_rows(run_id))
    latencies = [r.latency_ms for r in store.iter_metric_rows(run_id) if fresh_latency(r) is not None]
    assert kept.errors == 6 * epochs and kept.epochs == epochs and kept.by_tag
    assert 0 < kept.rate.pass_rate < 1 and kept.rate.method == "clustered"
    assert (kept.flaky_share is not None) == (epochs > 1)
    assert (kept.cached > 0) == cached
    assert kept.latency_ms == read_back.latency_ms == spread(latencies) and kept.latency_ms.n > 20
    assert (
        kept.cost_usd
        == read_back.cost_usd
        == math.fsum(r.cost_usd for r in store.iter_metric_rows(run_id) if not r.cached and r.cost_usd)
    )
    if epochs == 1:
        assert kept == read_back
    assert _approx_equal(kept.to_dict(), read_back.to_dict()), (kept, read_back)
    from_store = stored_run_metrics(store.iter_metric_rows(run_id), partial(store.fresh_latencies, run_id))
    assert from_store == read_back


def _approx_equal(a: object, b: object) -> bool:
    """Equal, floats to 1e-12 relative (a multi-epoch case's sums may round differently)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_approx_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_approx_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


async def test_a_run_keeps_the_options_it_was_started_with(store, make_suite, api_model):
    options = RunOptions(concurrency=3, limit=4, tags=(), epochs=2, use_cache=False)
    run_id = await Runner(store, make_suite(9), api_model(), options).run()
    assert store.get_run(run_id).options == {
        "limit": 4,
        "tags": [],
        "epochs": 2,
        "use_cache": False,
        "concurrency": 3,
    }
