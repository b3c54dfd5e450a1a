"""Every HTTP provider maps the same server misbehaviour to the same ProviderError, over real sockets."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from evaltui.errors import ProviderError
from evaltui.providers import HttpClient, Provider, Request, make_provider
from evaltui.suites.models import ModelSpec

from fake_api import FakeApi, Fault

KEY = "sk-test-SECRET-4242-do-not-leak"
FAMILIES = ["openai", "anthropic", "ollama"]


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    async with HttpClient(max_connections=8) as client:
        yield client


def provider_for(family: str, api: FakeApi, http: HttpClient) -> Provider:
    base = api.base_url if family == "openai" else api.url
    spec = ModelSpec(provider=family, model="fake-model", base_url=base, api_key_env="EVALTUI_TEST_KEY")
    return make_provider(spec, http)


def ask(text: str) -> Request:
    return Request(messages=[{"role": "user", "content": text}])


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVALTUI_TEST_KEY", KEY)


async def expect_error(provider: Provider, text: str = "Q: hello") -> ProviderError:
    with pytest.raises(ProviderError) as info:
        await provider.complete(ask(text))
    error = info.value
    assert KEY not in str(error) and KEY not in repr(error)
    return error


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("status", ["429", "503", "529"])
async def test_rate_limits_are_retryable_with_retry_after_seconds(
    family: str, status: str, fake_api: FakeApi, http: HttpClient
) -> None:
    fake_api.fail_next(Fault(status, retry_after="7"))
    error = await expect_error(provider_for(family, fake_api, http))
    assert error.retryable and error.status == int(status) and error.retry_after == 7.0


@pytest.mark.parametrize("family", FAMILIES)
async def test_429_without_retry_after_has_no_hint(family: str, fake_api: FakeApi, http: HttpClient) -> None:
    fake_api.fail_next("429")
    error = await expect_error(provider_for(family, fake_api, http))
    assert error.retryable and error.status == 429 and error.retry_after is None


async def test_retry_after_as_http_date_becomes_seconds(fake_api: FakeApi, http: HttpClient) -> None:
    fake_api.fail_next(Fault("503", retry_after="Wed, 21 Oct 2015 07:28:00 GMT"))  # in the past
    error = await expect_error(provider_for("openai", fake_api, http))
    assert error.retryable and error.retry_after == 0.0


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("status", ["500", "502"])
async def test_server_errors_are_retryable(
    family: str, status: str, fake_api: FakeApi, http: HttpClient
) -> None:
    fake_api.fail_next(status)
    error = await expect_error(provider_for(family, fake_api, http))
    assert error.retryable and error.status == int(status)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("status", ["400", "401", "403", "404"])
async def test_client_errors_are_final_and_carry_the_servers_message(
    family: str, status: str, fake_api: FakeApi, http: HttpClient
) -> None:
    fake_api.fail_next(status)
    error = await expect_error(provider_for(family, fake_api, http), "Q: which queue")
    assert not error.retryable and error.status == int(status)
    assert f"fake {status} for 'Q: which queue'" in str(error)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(
    ("fault", "reason"), [("malformed", "not JSON"), ("truncated", "truncated JSON"), ("drop", "connection")]
)
async def test_broken_bodies_are_retryable_with_a_reason(
    family: str, fault: str, reason: str, fake_api: FakeApi, http: HttpClient
) -> None:
    fake_api.fail_next(fault)
    error = await expect_error(provider_for(family, fake_api, http))
    assert error.retryable and reason in str(error)


async def test_empty_choices_is_a_final_error(fake_api: FakeApi, http: HttpClient) -> None:
    fake_api.fail_next("empty_choices")
    error = await expect_error(provider_for("openai", fake_api, http))
    assert not error.retryable and "empty `choices`" in str(error)


async def test_a_refused_connection_is_retryable(http: HttpClient) -> None:
    spec = ModelSpec(
        provider="openai", model="m", base_url="http://127.0.0.1:9/v1", api_key_env="EVALTUI_TEST_KEY"
    )
    error = await expect_error(make_provider(spec, http))
    assert error.retryable and "cannot connect" in str(error)
    assert error.kind == "unreachable" and error.endpoint == "127.0.0.1:9"
    # a plain http:// endpoint: no TLS in the reason (aiohttp's own words said 'ssl:default')
    assert "ssl" not in str(error).lower() and "refused" in str(error).lower(), str(error)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("status", "kind"), [("401", "auth"), ("403", "auth"), ("500", None), ("429", None)])
async def test_auth_failures_are_told_apart_for_the_engine(
    family: str, status: str, kind: str | None, fake_api: FakeApi, http: HttpClient
) -> None:
    fake_api.fail_next(status)
    error = await expect_error(provider_for(family, fake_api, http))
    assert error.kind == kind and error.endpoint == f"127.0.0.1:{fake_api.port}"


@pytest.mark.parametrize("family", FAMILIES)
async def test_key_reaches_the_server_but_never_an_error(
    family: str, fake_api: FakeApi, http: HttpClient
) -> None:
    fake_api.answer = lambda text: "ok"
    provider = provider_for(family, fake_api, http)
    await provider.complete(ask("Q: first"))
    sent = fake_api.seen[-1].headers
    assert KEY in (sent.get("Authorization", "") + sent.get("x-api-key", ""))
    for fault in ["401", "429", "500", "malformed", "drop"]:
        fake_api.fail_next(fault)
        await expect_error(provider)
    assert KEY not in repr(provider)


async def test_a_key_echoed_by_the_server_is_redacted(fake_api: FakeApi, http: HttpClient) -> None:
    fake_api.fail_when("echo", "401")
    error = await expect_error(provider_for("openai", fake_api, http), f"Q: echo {KEY}")
    assert "[redacted]" in str(error)


async def test_missing_key_variable_is_named_on_401(
    fake_api: FakeApi, http: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EVALTUI_TEST_KEY")
    fake_api.fail_next("401")
    error = await expect_error(provider_for("openai", fake_api, http))
    assert "EVALTUI_TEST_KEY is not set" in str(error)
    assert "Authorization" not in fake_api.seen[-1].headers


JSON_BODIES = [
    b'{"text": "plain"}',
    '{"text": "ünïcødé ✓ 𝄞"}'.encode(),
    b'{"text": "\\ud800 a lone surrogate, escaped"}',
    b'{"a": 1}  \n',
    b'\xef\xbb\xbf{"bom": true}',
    '{"utf16": "le"}'.encode("utf-16-le"),
    '{"utf16": "be"}'.encode("utf-16-be"),
    '{"utf32": 1}'.encode("utf-32"),
    b'{"bad utf-8": "\xff"}',
    b'{"raw surrogate": "\xed\xa0\x80"}',
    b'{"cut": "sho',
    b'{"a": 1} trailing',
    b"{",
    b'  {"leading": "space"}',
    b'["not", "an object"]',
    b"not json",
]


@pytest.mark.parametrize("body", JSON_BODIES)
def test_an_answer_body_decodes_as_json_loads_decodes_it(body: bytes) -> None:
    """The answer's JSON is what json.loads makes of the body, whatever its encoding; a body it
    refuses is a retryable error saying the body is cut short or not JSON."""
    import json

    from evaltui.providers.faults import decode_json
    from evaltui.providers.http import Response

    response = Response(200, "OK", {}, body)
    try:
        expected = json.loads(body)
    except ValueError:
        with pytest.raises(ProviderError) as info:
            decode_json(response, "m at host")
        assert info.value.retryable and (
            "not JSON" in info.value.message or "truncated" in info.value.message
        )
        return
    if not isinstance(expected, dict):
        with pytest.raises(ProviderError, match="expected a JSON object"):
            decode_json(response, "m at host")
        return
    assert decode_json(response, "m at host") == expected


class _Capture:
    """An HttpClient stand-in that keeps the body it is given and answers an empty choice list."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def request(self, method: str, url: str, **kwargs: object) -> object:
        from evaltui.providers.http import Response

        self.sent.append(kwargs["content"])  # type: ignore[arg-type]
        return Response(200, "OK", {}, b'{"choices": []}')


@pytest.mark.parametrize("family", FAMILIES)
async def test_a_request_body_is_the_json_json_dumps_writes(family: str) -> None:
    """What goes out is byte for byte json.dumps of the provider's body: texts outside ASCII, lone
    surrogates, odd floats, nested params; a body json.dumps refuses is refused the same way."""
    http = _Capture()
    params = {"temperature": 0.1, "big": 1e300, "nan": float("nan"), "n": [1, {"a": None, "b": True}]}
    spec = ModelSpec(provider=family, model="m", base_url="http://127.0.0.1:9", params=params)
    provider = make_provider(spec, http)  # type: ignore[arg-type]
    request = Request(messages=[{"role": "user", "content": 'ünï ✓ \ud800 \x00 "q"'}], params={"k": "v"})
    with pytest.raises(ProviderError):  # the empty answer: only the body matters here
        await provider.complete(request)
    assert http.sent == [json.dumps(provider.body(request)).encode()]  # type: ignore[attr-defined]

    loop: dict[str, object] = {}
    loop["self"] = loop
    circular = Request(messages=[{"role": "user", "content": "q"}], params={"loop": loop})
    with pytest.raises(ValueError, match="Circular reference"):
        await provider.complete(circular)
