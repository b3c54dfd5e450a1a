"""Rate-limited APIs, against the loopback server: no case is lost to a 429, a Retry-After (seconds
or a date) pauses the whole endpoint, the vendors' rate-limit headers are heeded before the server
has to say no, a model's `rpm` is kept client-side, and concurrency comes back when the limit goes.

Times here are only lower bounds the client must have waited (when requests reached the server),
never how fast anything ran."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import formatdate

import pytest

from evaltui.engine import CaseFinished, Runner, RunOptions
from evaltui.store import Store

from fake_api import FakeApi, Fault


def arrivals(api: FakeApi, text: str | None = None) -> list[float]:
    return [seen.at for seen in api.seen if text is None or seen.text.endswith(text)]


async def finished(runner: Runner) -> dict:
    run_id = await asyncio.wait_for(runner.run(), 120)  # a guard against a hang, not a timing claim
    return runner.store.get_run(run_id)


async def test_a_rate_limited_server_loses_no_case_and_its_429s_use_up_no_retries(
    store: Store, make_suite, api_model, fake_api: FakeApi
) -> None:
    fake_api.rate, fake_api.latency_ms = 40, 10
    runner = Runner(store, make_suite(150), api_model(max_retries=0), RunOptions(concurrency=32))
    run = await finished(runner)
    assert fake_api.stats["rate_limited"] > 0, "the server never said no: nothing was tested"
    assert (run.status, run.done, run.errors) == ("completed", 150, 0)
    assert runner.stats.rate_limited == fake_api.stats["rate_limited"]
    attempts = [row.attempts for row in store.iter_results(run.id)]
    assert sum(attempts) == fake_api.stats["requests"] and max(attempts) > 1


@pytest.mark.parametrize("form", ["seconds", "date"])
async def test_retry_after_pauses_the_whole_endpoint(
    store: Store, make_suite, api_model, fake_api: FakeApi, form: str
) -> None:
    """One case is told to wait; no other request goes out meanwhile (those already sent finish)."""
    fake_api.latency_ms = 30
    wait = 1.0 if form == "seconds" else 2.0  # a date counts whole seconds: at least 2 - 1 after now
    value = "1" if form == "seconds" else formatdate(time.time() + 3, usegmt=True)
    fake_api.fail_when("case-3", Fault("429", retry_after=value))
    run = await finished(Runner(store, make_suite(24), api_model(max_retries=0), RunOptions(concurrency=4)))
    assert (run.done, run.errors) == (24, 0)
    refused = arrivals(fake_api, "case-3")[0]
    # a request sent before the 429 came back (a millisecond on loopback) may arrive just after it
    during = [t for t in arrivals(fake_api) if refused + 0.1 < t < refused + wait * 0.9]
    assert during == [], f"{len(during)} requests went out while the endpoint was told to wait"
    assert len(arrivals(fake_api)) == 25


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            {
                "x-ratelimit-limit-requests": "1",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": "1s",
            },
            id="openai-requests",
        ),
        pytest.param(
            {
                "x-ratelimit-limit-tokens": "5000",
                "x-ratelimit-remaining-tokens": "0",
                "x-ratelimit-reset-tokens": "1s200ms",
            },
            id="openai-tokens",
        ),
        pytest.param("anthropic", id="anthropic-requests"),
    ],
)
async def test_rate_limit_headers_pause_before_the_server_says_no(
    store: Store, make_suite, api_model, fake_api: FakeApi, headers: dict | str
) -> None:
    """An answer saying nothing is left: the next request waits until the server says some is."""
    model = api_model()
    if headers == "anthropic":
        reset = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat().replace("+00:00", "Z")
        headers = {
            "anthropic-ratelimit-requests-limit": "1",
            "anthropic-ratelimit-requests-remaining": "0",
            "anthropic-ratelimit-requests-reset": reset,
        }
        model = api_model(provider="anthropic")
    fake_api.answer_headers.append(headers)
    run = await finished(Runner(store, make_suite(3), model, RunOptions(concurrency=1)))
    assert (run.done, run.errors) == (3, 0)
    first, second, _ = arrivals(fake_api)
    assert second - first >= 0.9, "the request after 'none left' went out at once"


async def test_a_server_that_rate_limits_then_recovers_gets_its_concurrency_back(
    store: Store, make_suite, api_model, fake_api: FakeApi
) -> None:
    """Without Retry-After: the endpoint backs off on its own, then climbs back once the limit goes."""
    fake_api.rate, fake_api.rate_retry_after, fake_api.latency_ms = 20, None, 10
    runner = Runner(store, make_suite(300), api_model(max_retries=0), RunOptions(concurrency=16))
    lowest = [16]
    recovered = threading.Event()

    def on_event(event: object) -> None:
        if isinstance(event, CaseFinished):
            stats = runner.stats
            lowest[0] = min(lowest[0], stats.concurrency or 16)
            if stats.done >= 60 and not recovered.is_set():
                recovered.set()
                fake_api.rate = 0  # the limit is lifted

    runner.subscribe(on_event)
    run = await finished(runner)
    assert fake_api.stats["rate_limited"] > 0
    assert (run.done, run.errors) == (300, 0)
    assert lowest[0] < 16, "rate-limited, the concurrency never came down"
    assert runner.stats.concurrency is not None and runner.stats.concurrency > lowest[0]


async def test_a_models_rpm_is_kept_before_the_server_says_no(
    store: Store, make_suite, api_model, fake_api: FakeApi
) -> None:
    fake_api.rate, fake_api.latency_ms = 12, 5
    unlimited = await finished(Runner(store, make_suite(30), api_model(), RunOptions(concurrency=8)))
    assert unlimited.errors == 0 and fake_api.stats["rate_limited"] > 0, "the control run was never limited"
    fake_api.stats.clear()
    await asyncio.sleep(1.1)  # the server's bucket fills again
    limited = await finished(Runner(store, make_suite(30), api_model(rpm=480), RunOptions(concurrency=8)))
    assert (limited.done, limited.errors) == (30, 0)
    assert fake_api.stats["rate_limited"] == 0


async def test_a_models_tpm_spreads_its_requests_over_time(
    store: Store, make_suite, api_model, fake_api: FakeApi
) -> None:
    """Ten cases of about three tokens each at 600 tokens a minute (10 a second, a second's worth
    at once): even counting only the estimates, the last request cannot leave before ~1 s."""
    run = await finished(Runner(store, make_suite(10), api_model(tpm=600), RunOptions(concurrency=8)))
    assert (run.done, run.errors) == (10, 0)
    sent = arrivals(fake_api)
    assert sent[-1] - sent[0] >= 0.9, "the requests went out at once"
