"""The Run header shows a finished run's figures from the run row at once: the latency percentiles,
interval and cost the engine kept when the run finished, before any metrics are recomputed."""

from __future__ import annotations

from evaltui.store import Store
from evaltui.tui.widgets.run_header import Figures


def test_a_finished_runs_kept_latency_and_interval_are_shown_from_the_run_row(db_path, echo_run: str) -> None:
    with Store(db_path) as store:
        run = store.get_run(echo_run)
    kept = run.metrics
    figures = Figures.from_run(run)
    assert (figures.p50, figures.p95) == (kept.latency_ms.p50, kept.latency_ms.p95)
    assert figures.p50 is not None
    assert (figures.lo, figures.hi) == (kept.rate.lo, kept.rate.hi)


async def test_a_clustered_suite_shows_the_same_interval_as_show(make_tui, db_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    import evaltui.format as fmt
    from evaltui.analysis.metrics import run_metrics
    from evaltui.tui.widgets.run_header import RunHeader
    from tests.tui.conftest import screen_text
    from tests.tui.frozen import run_suite
    from tests.tui.test_journeys import open_run

    cases = "\n".join(
        f'  - {{id: c{i:02d}, input: "a {i}", expected: "{"a" if i % 4 else "b"} {i}", cluster: g{i // 4}}}'
        for i in range(24)
    )
    suite = tmp_path / "clustered.yaml"
    suite.write_text(
        'name: clustered\nprompt: "{{ input }}"\nmodels:\n  - id: demo:echo\n    provider: demo\n'
        f"    model: echo\n    params: {{latency_ms: 0}}\nscorers:\n  - type: equals\ncases:\n{cases}\n"
    )
    run_id = await asyncio.to_thread(run_suite, db_path, suite)
    with Store(db_path) as store:
        rate = run_metrics(store.iter_metric_rows(run_id)).rate  # what `evaltui show` reports
    assert rate.method == "clustered"
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, run_id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        header = screen_text(app.screen.query_one(RunHeader))
    assert fmt.rate(rate.pass_rate, rate.lo, rate.hi) in header


async def test_the_header_puts_errors_and_cached_answers_beside_the_pass_rate(
    make_tui, db_path, tmp_path, fake_api, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """7 of 10 cases answered 503 (never retried): the rate is over 3 scored, and the header says
    7 errored; asked again, the 3 answered come from the cache and the header says so."""
    import asyncio

    from evaltui.tui.widgets.run_header import RunHeader
    from tests.tui.conftest import screen_text
    from tests.tui.frozen import run_suite
    from tests.tui.test_journeys import open_run

    monkeypatch.setenv("HEADER_KEY", "sk-header")
    for i in range(7):
        fake_api.fail_when(f"case-{i}", "503")
    cases = "\n".join(f'  - {{id: c{i}, input: "case-{i}", expected: "CASE-{i}"}}' for i in range(10))
    suite = tmp_path / "flaky.yaml"
    suite.write_text(
        "name: flaky\nprompt: 'Q: {{ input }}'\nmodels:\n  - id: fake\n    provider: openai\n"
        f"    model: fake\n    base_url: {fake_api.base_url}\n    api_key_env: HEADER_KEY\n"
        f"    max_retries: 0\nscorers:\n  - type: equals\ncases:\n{cases}\n"
    )
    first = await asyncio.to_thread(run_suite, db_path, suite)
    second = await asyncio.to_thread(run_suite, db_path, suite)
    shown = {}
    app = make_tui()
    async with app.run_test(size=(120, 40)) as pilot:
        for run_id in (first, second):
            await open_run(pilot, run_id)
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown[run_id] = screen_text(app.screen.query_one(RunHeader))
            app.pop_screen()
            await pilot.pause()
    assert "of 3 scored · 7 errored" in shown[first]
    assert "of 10 scored · 3 cached" in shown[second]


async def test_a_run_that_ended_early_says_why_in_the_header(make_tui, db_path, echo_run: str) -> None:  # type: ignore[no-untyped-def]
    """A stopped run's header says why it stopped, as `evaltui show` does, not only 'stopped'."""
    from evaltui.tui.widgets.run_header import RunHeader
    from tests.tui.conftest import screen_text
    from tests.tui.test_journeys import open_run

    reason = "reached the cost ceiling of $12 (spent $12.40)"
    with Store(db_path) as store:
        run = store.get_run(echo_run)
        store.finish_run(echo_run, "stopped", run.metrics, reason=reason)
    app = make_tui()
    async with app.run_test(size=(160, 40)) as pilot:
        await open_run(pilot, echo_run)
        await app.workers.wait_for_complete()
        await pilot.pause()
        first = screen_text(app.screen.query_one(RunHeader)).splitlines()[0]
    assert "stopped" in first and f"stopped: {reason}" in first


def test_live_percentiles_counted_in_buckets_reach_the_header_marked_approximate() -> None:
    from evaltui.engine import LiveStats

    assert Figures.from_stats(LiveStats(total=3, p50_ms=5.0)).latency_exact
    assert not Figures.from_stats(LiveStats(total=3, p50_ms=5.0, latency_exact=False)).latency_exact


def test_a_live_run_with_epochs_shows_no_interval_it_cannot_cluster_yet() -> None:
    """Live figures count results: with epochs their Wilson interval treats each epoch as another
    case, narrower than the clustered one the run ends with ([44%–86%] live, [22%–100%] at the
    end). The rate shows live; its interval once the run has finished."""
    from evaltui.engine import LiveStats

    stats = LiveStats(total=20, done=16, passed=11, failed=5)
    one = Figures.from_stats(stats)
    assert one.lo is not None and one.hi is not None
    several = Figures.from_stats(stats, epochs=2)
    assert several.rate == one.rate and (several.lo, several.hi) == (None, None)


def test_a_finished_run_whose_answers_counted_no_tokens_shows_them_unknown(db_path, echo_run: str) -> None:
    """Answers that reported no token counts (a Python component returning strings) sum to 0: the
    header says unknown, as `show` does, not '0 in / 0 out'."""
    from dataclasses import replace

    import evaltui.format as fmt

    with Store(db_path) as store:
        run = store.get_run(echo_run)
    kept = run.metrics
    answered = kept.passed + kept.failed - kept.cached
    assert answered > 0
    uncounted = replace(kept, tokens_in=0, tokens_out=0, tokens_uncounted=answered)
    for figures in (
        Figures.from_run(replace(run, metrics=uncounted)),
        Figures.from_metrics(uncounted, run.total),
    ):
        assert fmt.tokens(figures.tokens_in, figures.tokens_out) == "unknown"
    counted = Figures.from_metrics(kept, run.total)
    assert fmt.tokens(counted.tokens_in, counted.tokens_out) == fmt.tokens(kept.tokens_in, kept.tokens_out)


def test_a_going_run_with_epochs_shows_no_interval_from_its_row() -> None:
    """A run row without kept metrics (a run going on) has counts of results: with several epochs
    no Wilson interval over them, as the live figures show none; with one epoch it has one."""
    from evaltui.records import RunRecord

    going = RunRecord(id="r", status="running", total=30, epochs=3, done=6, passed=5, failed=1)
    figures = Figures.from_run(going)
    assert (figures.lo, figures.hi) == (None, None)
    single = Figures.from_run(RunRecord(id="r", status="running", total=10, done=6, passed=5, failed=1))
    assert single.lo is not None and single.hi is not None
