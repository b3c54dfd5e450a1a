"""The shared HTTP client (aiohttp under evaltui's policy), with connections that are never leaked."""

from __future__ import annotations

import asyncio
import gzip
import json

import pytest
from aiohttp import web

from evaltui.errors import ProviderError
from evaltui.providers import HttpClient, Request, make_provider
from evaltui.providers.http import ConnectError, Response
from evaltui.suites.models import ModelSpec

from fake_api import FakeApi


async def test_cancelled_request_releases_its_connection(fake_api: FakeApi) -> None:
    """With a pool of one connection, a request cancelled while the server hangs must not keep
    that connection: the next request gets through."""
    async with HttpClient(max_connections=1) as http:
        provider = make_provider(ModelSpec(provider="openai", model="m", base_url=fake_api.base_url), http)
        fake_api.fail_next("hang")
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await provider.complete(Request(messages=[{"role": "user", "content": "Q: stuck"}]))
        async with asyncio.timeout(10):
            completion = await provider.complete(Request(messages=[{"role": "user", "content": "Q: next"}]))
        assert completion.text == "NEXT"


async def test_keep_alive_reuses_one_connection_for_sequential_requests(fake_api: FakeApi) -> None:
    async with HttpClient(max_connections=4) as http:
        provider = make_provider(ModelSpec(provider="openai", model="m", base_url=fake_api.base_url), http)
        for i in range(20):
            await provider.complete(Request(messages=[{"role": "user", "content": f"Q: {i}"}]))
    assert len(fake_api.seen) == 20
    assert len({seen.peer for seen in fake_api.seen}) == 1


async def test_concurrent_requests_stay_within_the_connection_limit(fake_api: FakeApi) -> None:
    fake_api.latency_ms = 20
    async with HttpClient(max_connections=3) as http:
        provider = make_provider(ModelSpec(provider="openai", model="m", base_url=fake_api.base_url), http)
        asks = [Request(messages=[{"role": "user", "content": f"Q: {i}"}]) for i in range(30)]
        answers = await asyncio.gather(*(provider.complete(r) for r in asks))
    assert [a.text for a in answers] == [str(i) for i in range(30)]
    assert len({seen.peer for seen in fake_api.seen}) <= 3


async def test_request_returns_a_read_response_and_decodes_gzip(unused_tcp_port: int) -> None:
    async def gzipped(request: web.Request) -> web.Response:
        return web.Response(
            body=gzip.compress(b'{"hello": "world"}'),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    app = web.Application()
    app.router.add_get("/", gzipped)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        async with HttpClient() as http:
            response = await http.request("GET", f"http://127.0.0.1:{unused_tcp_port}/")
        assert isinstance(response, Response) and response.status_code == 200
        assert json.loads(response.content) == {"hello": "world"}
    finally:
        await runner.cleanup()


async def test_a_refused_connection_is_a_connect_error_naming_host_and_port(unused_tcp_port: int) -> None:
    async with HttpClient() as http:
        with pytest.raises(ConnectError, match=f"127.0.0.1:{unused_tcp_port}"):
            await http.request("GET", f"http://127.0.0.1:{unused_tcp_port}/")


async def test_provider_names_unreachable_server_without_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K", "sk-zzz-secret")
    spec = ModelSpec(provider="openai", model="m", base_url="http://127.0.0.1:9/v1", api_key_env="K")
    async with HttpClient() as http:
        with pytest.raises(ProviderError) as info:
            await make_provider(spec, http).complete(Request(messages=[{"role": "user", "content": "x"}]))
    assert "127.0.0.1:9" in str(info.value) and "sk-zzz-secret" not in str(info.value)
