"""The response cache as a run sees it: a changed python component is asked again, and a cached
answer is marked as such, its original latency kept but not counted as this run's latency."""

from __future__ import annotations

from evaltui.engine import Runner
from evaltui.suites.models import ModelSpec


async def test_a_python_component_changed_since_the_last_run_is_asked_again(store, make_suite, component):
    prepared = make_suite(3)
    module = component("comp", "def answer(messages):\n    return 'v1'\n")
    spec = ModelSpec(provider="python", model=f"{module}:answer")
    first = await Runner(store, prepared, spec).run()
    assert {(r.output, r.cached) for r in store.iter_results(first)} == {("v1", False)}

    component("comp", "def answer(messages):\n    return 'v2'\n")  # edited; a new process imports it
    second = await Runner(store, prepared, spec).run()
    assert {(r.output, r.cached) for r in store.iter_results(second)} == {("v2", False)}

    third = await Runner(store, prepared, spec).run()  # unchanged since: the cache answers
    assert {(r.output, r.cached) for r in store.iter_results(third)} == {("v2", True)}


async def test_a_cached_answer_keeps_its_latency_marked_cached_and_out_of_the_runs_latency(
    store, make_suite, api_model, fake_api
):
    prepared = make_suite(4)
    fake_api.latency_ms = 30
    first = await Runner(store, prepared, api_model()).run()
    asked = {r.case_id: r.latency_ms for r in store.iter_results(first)}
    runner = Runner(store, prepared, api_model())
    second = await runner.run()
    replayed = {r.case_id: (r.latency_ms, r.cached) for r in store.iter_results(second)}
    assert replayed == {case_id: (latency, True) for case_id, latency in asked.items()}
    assert runner.stats.cached == 4
    assert runner.stats.p50_ms is None and runner.stats.p95_ms is None  # nothing was asked
