"""Each HTTP provider sends the request its API expects and reads the answer and token usage."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from evaltui.providers import HttpClient, Request, make_provider
from evaltui.suites.models import ModelSpec

from fake_api import FakeApi

CHAT = [
    {"role": "system", "content": "Answer in capitals."},
    {"role": "user", "content": "Q: route this ticket"},
]


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    async with HttpClient(max_connections=8) as client:
        yield client


async def test_openai_answer_tokens_and_params(fake_api: FakeApi, http: HttpClient) -> None:
    spec = ModelSpec(provider="openai", model="qwen", base_url=fake_api.base_url, params={"temperature": 0})
    completion = await make_provider(spec, http).complete(Request(messages=CHAT, params={"max_tokens": 16}))
    assert completion.text == "ROUTE THIS TICKET"
    assert (completion.tokens_in, completion.tokens_out) == (4, 3)
    assert completion.model == "qwen" and completion.latency_ms > 0
    sent = fake_api.seen[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.body == {"model": "qwen", "messages": CHAT, "temperature": 0, "max_tokens": 16}


async def test_openai_key_sent_as_bearer_only_when_the_variable_is_set(
    fake_api: FakeApi, http: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = ModelSpec(provider="openai", model="m", base_url=fake_api.base_url, api_key_env="MY_KEY")
    monkeypatch.setenv("MY_KEY", "sk-abc")
    await make_provider(spec, http).complete(Request(messages=CHAT))
    assert fake_api.seen[-1].headers["Authorization"] == "Bearer sk-abc"
    monkeypatch.delenv("MY_KEY")
    await make_provider(spec, http).complete(Request(messages=CHAT))
    assert "Authorization" not in fake_api.seen[-1].headers


async def test_default_key_is_not_sent_to_a_custom_base_url(
    fake_api: FakeApi, http: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-meant-for-openai")
    spec = ModelSpec(provider="openai", model="m", base_url=fake_api.base_url)
    await make_provider(spec, http).complete(Request(messages=CHAT))
    assert "Authorization" not in fake_api.seen[-1].headers


async def test_extra_spec_headers_are_sent(fake_api: FakeApi, http: HttpClient) -> None:
    spec = ModelSpec(provider="openai", model="m", base_url=fake_api.base_url, headers={"X-Title": "evals"})
    await make_provider(spec, http).complete(Request(messages=CHAT))
    assert fake_api.seen[-1].headers["X-Title"] == "evals"


async def test_anthropic_system_key_version_and_default_max_tokens(
    fake_api: FakeApi, http: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_TEST_KEY", "sk-ant-xyz")
    spec = ModelSpec(
        provider="anthropic", model="claude", base_url=fake_api.url, api_key_env="ANTHROPIC_TEST_KEY"
    )
    completion = await make_provider(spec, http).complete(Request(messages=CHAT))
    assert completion.text == "ROUTE THIS TICKET" and (completion.tokens_in, completion.tokens_out) == (4, 3)
    sent = fake_api.seen[-1]
    assert sent.path == "/v1/messages"
    assert sent.headers["x-api-key"] == "sk-ant-xyz" and sent.headers["anthropic-version"]
    assert sent.body["system"] == "Answer in capitals."
    assert sent.body["messages"] == [CHAT[1]] and sent.body["max_tokens"] == 1024


async def test_anthropic_max_tokens_from_params_and_base_url_with_v1(
    fake_api: FakeApi, http: HttpClient
) -> None:
    spec = ModelSpec(
        provider="anthropic", model="claude", base_url=fake_api.base_url, params={"max_tokens": 5}
    )
    await make_provider(spec, http).complete(Request(messages=CHAT[1:]))
    sent = fake_api.seen[-1]
    assert sent.path == "/v1/messages" and sent.body["max_tokens"] == 5 and "system" not in sent.body


async def test_anthropic_empty_content_is_an_empty_answer(fake_api: FakeApi, http: HttpClient) -> None:
    fake_api.fail_next("empty_choices")
    spec = ModelSpec(provider="anthropic", model="claude", base_url=fake_api.url)
    assert (await make_provider(spec, http).complete(Request(messages=CHAT))).text == ""


async def test_ollama_native_chat_with_options_and_eval_counts(fake_api: FakeApi, http: HttpClient) -> None:
    params = {"temperature": 0, "max_tokens": 8, "format": "json"}
    spec = ModelSpec(provider="ollama", model="llama3", base_url=fake_api.url, params=params)
    completion = await make_provider(spec, http).complete(Request(messages=CHAT))
    assert completion.text == "ROUTE THIS TICKET" and (completion.tokens_in, completion.tokens_out) == (4, 3)
    sent = fake_api.seen[-1]
    assert sent.path == "/api/chat"
    assert sent.body == {
        "model": "llama3",
        "messages": CHAT,
        "stream": False,
        "format": "json",
        "options": {"temperature": 0, "num_predict": 8},
    }


async def test_server_counts_each_question(fake_api: FakeApi, http: HttpClient) -> None:
    provider = make_provider(ModelSpec(provider="openai", model="m", base_url=fake_api.base_url), http)
    for text in ["Q: a", "Q: b", "Q: a"]:
        await provider.complete(Request(messages=[{"role": "user", "content": text}]))
    assert fake_api.requests == {"Q: a": 2, "Q: b": 1}


async def test_an_openai_refusal_is_the_answer_not_empty(fake_api: FakeApi, http: HttpClient) -> None:
    """With structured outputs a model that declines answers `content: null` and `refusal: "..."`:
    the output was empty, so the case failed as if the model had said nothing."""

    def refuse(api: str, body: dict) -> None:  # type: ignore[type-arg]
        message = body["choices"][0]["message"]
        message["content"], message["refusal"] = None, "I can't help with that."

    fake_api.edit = refuse
    spec = ModelSpec(provider="openai", model="m", base_url=fake_api.base_url)
    completion = await make_provider(spec, http).complete(Request(messages=CHAT))
    assert completion.text == "I can't help with that."
