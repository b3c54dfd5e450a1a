"""What goes on the wire: the headers a provider sets, and none that aiohttp would add unasked."""

from __future__ import annotations

import httpx
import pytest

from evaltui.errors import ProviderError
from evaltui.providers import HttpClient, Request, make_provider
from evaltui.suites.models import ModelSpec

from fake_api import FakeApi


async def test_provider_request_carries_its_own_user_agent_and_exact_length(fake_api: FakeApi) -> None:
    spec = ModelSpec(provider="openai", model="m", base_url=fake_api.base_url, headers={"X-Team": "evals"})
    async with HttpClient() as http:
        await make_provider(spec, http).complete(Request(messages=[{"role": "user", "content": "Q: héllo"}]))
    headers = fake_api.seen[0].headers
    assert headers["User-Agent"] == "evaltui"
    assert headers["X-Team"] == "evals"
    assert headers["Content-Type"] == "application/json"
    assert fake_api.seen[0].body["messages"][0]["content"] == "Q: héllo"


async def test_a_request_without_user_agent_is_sent_without_one(fake_api: FakeApi) -> None:
    """aiohttp would add "Python/3.x aiohttp/..."; the transport tells it not to."""
    async with HttpClient() as http:
        request = httpx.Request(
            "POST", fake_api.base_url + "/chat/completions", json={"model": "m", "messages": []}
        )
        await http.send(request)
    assert "User-Agent" not in fake_api.seen[0].headers


def test_a_non_ascii_header_is_refused_without_echoing_its_value() -> None:
    spec = ModelSpec(
        provider="openai", model="m", base_url="http://127.0.0.1:9/v1", headers={"X-Who": "sécret"}
    )
    with pytest.raises(ProviderError, match="X-Who") as caught:
        make_provider(spec, HttpClient())
    assert "sécret" not in str(caught.value)
