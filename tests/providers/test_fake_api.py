"""The loopback fake server's own knobs, which the engine and fault tests rely on."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from evaltui.errors import ProviderError
from evaltui.providers import HttpClient, Provider, Request, make_provider
from evaltui.suites.models import ModelSpec

from fake_api import FakeApi, Fault


@pytest.fixture
async def provider(fake_api: FakeApi) -> AsyncIterator[Provider]:
    async with HttpClient() as http:
        yield make_provider(ModelSpec(provider="openai", model="m", base_url=fake_api.base_url), http)


def ask(text: str) -> Request:
    return Request(messages=[{"role": "user", "content": text}])


async def test_faults_for_a_content_hit_only_matching_questions(
    fake_api: FakeApi, provider: Provider
) -> None:
    fake_api.fail_when("poison", "500", "500")
    assert (await provider.complete(ask("Q: fine"))).text == "FINE"
    for _ in range(2):
        with pytest.raises(ProviderError):
            await provider.complete(ask("Q: poison pill"))
    assert (await provider.complete(ask("Q: poison pill"))).text == "POISON PILL"  # script used up
    assert fake_api.requests["Q: poison pill"] == 3


async def test_answer_and_latency_can_be_set_per_request(fake_api: FakeApi, provider: Provider) -> None:
    fake_api.answer = lambda text: text[::-1]
    fake_api.latency_ms = lambda seen: 5.0 if "slow" in seen.text else 0.0
    assert (await provider.complete(ask("slow"))).text == "wols"


def test_unknown_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        Fault("418")


async def test_stats_and_models_routes(fake_api: FakeApi, provider: Provider) -> None:
    fake_api.fail_next("503")
    with pytest.raises(ProviderError):
        await provider.complete(ask("Q: a"))
    await provider.complete(ask("Q: b"))
    async with HttpClient() as client:
        stats = json.loads((await client.request("GET", f"{fake_api.url}/stats")).content)
        models = json.loads((await client.request("GET", f"{fake_api.base_url}/models")).content)
    assert stats == {"requests": 2, "faulted": 1, "answered": 1}
    assert models["data"][0]["id"] == "fake"


async def test_server_can_go_away_and_come_back_on_the_same_port(
    fake_api: FakeApi, provider: Provider
) -> None:
    assert (await provider.complete(ask("Q: before"))).text == "BEFORE"
    fake_api.go_away()
    with pytest.raises(ProviderError) as info:
        await provider.complete(ask("Q: during"))
    assert info.value.retryable
    fake_api.come_back()
    assert (await provider.complete(ask("Q: after"))).text == "AFTER"
