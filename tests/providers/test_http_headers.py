"""What goes on the wire: the headers a provider sets, and none that could split into others."""

from __future__ import annotations

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


async def test_the_host_header_is_the_endpoint_s_own(fake_api: FakeApi) -> None:
    spec = ModelSpec(provider="openai", model="m", base_url=fake_api.base_url)
    async with HttpClient() as http:
        await make_provider(spec, http).complete(Request(messages=[{"role": "user", "content": "Q: x"}]))
    assert fake_api.seen[0].headers.getall("Host") == [fake_api.base_url.split("/")[2]]


def test_a_non_ascii_header_is_refused_without_echoing_its_value() -> None:
    spec = ModelSpec(
        provider="openai", model="m", base_url="http://127.0.0.1:9/v1", headers={"X-Who": "sécret"}
    )
    with pytest.raises(ProviderError, match="X-Who") as caught:
        make_provider(spec, HttpClient())
    assert "sécret" not in str(caught.value)


@pytest.mark.parametrize("key", ["sk-1\r\nX-Evil: 1", "sk-1\nX-Evil: 1"])
def test_an_api_key_with_a_line_break_is_refused_without_echoing_it(
    key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key comes from the environment, past the suite's validation: checked when the provider
    is made, before anything is sent."""
    monkeypatch.setenv("EVIL_KEY", key)
    spec = ModelSpec(provider="openai", model="m", base_url="http://127.0.0.1:9/v1", api_key_env="EVIL_KEY")
    with pytest.raises(ProviderError, match="line break or NUL") as caught:
        make_provider(spec, HttpClient())
    assert "X-Evil" not in str(caught.value) and "sk-1" not in str(caught.value)
