"""The HTTP stack every remote provider shares: httpx's API at the boundary, lean bytes below.

Providers build an `httpx.Request` and read an `httpx.Response`; transport failures surface as
httpx's exception types. Underneath, requests go straight out on asyncio protocols
(`providers/wire.py`), or through aiohttp when the environment names a proxy for the host
(HTTP_PROXY, HTTPS_PROXY and NO_PROXY). Measured on the team's machine
(bench/http_stack.py, CPU a request with httpx's objects): httpx's own transport about 8 ms at
concurrency 50, over aiohttp 0.57 ms, over the wire transport 0.30 ms. `HttpClient.send` hands the
request straight to a transport, skipping `AsyncClient`'s per-request machinery (auth, redirects,
cookies, event hooks), none of which a model API call needs.

One `HttpClient` per run, shared by all of that run's providers, closed at the end.
"""

from __future__ import annotations

import urllib.request
from types import TracebackType
from typing import TYPE_CHECKING

import httpx

from evaltui.providers.wire import WireTransport

if TYPE_CHECKING:
    from evaltui.providers.aiohttp_transport import AiohttpTransport

__all__ = ["USER_AGENT", "HttpClient", "WireTransport"]

USER_AGENT = "evaltui"


class HttpClient:
    """What providers send requests through. `send` returns a read `httpx.Response` whatever the
    status; raising on status is the provider's job (providers/faults.py maps it). A `transport`
    given here carries every request; otherwise hosts the environment sends through a proxy go
    through aiohttp, the rest straight out."""

    def __init__(
        self, *, max_connections: int = 64, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.transport = transport or WireTransport(limit=max_connections)
        self._max_connections = max_connections
        self._proxies = {} if transport else urllib.request.getproxies()
        self._proxied: AiohttpTransport | None = None
        self._via_proxy: dict[tuple[str, str], bool] = {}

    def _transport_for(self, url: httpx.URL) -> httpx.AsyncBaseTransport:
        if not self._proxies:
            return self.transport
        key = (url.scheme, url.host)
        proxied = self._via_proxy.get(key)
        if proxied is None:
            wanted = url.scheme in self._proxies
            proxied = self._via_proxy[key] = wanted and not urllib.request.proxy_bypass(url.host)
        if not proxied:
            return self.transport
        if self._proxied is None:
            from evaltui.providers.aiohttp_transport import AiohttpTransport

            self._proxied = AiohttpTransport(limit=self._max_connections, trust_env=True)
        return self._proxied

    async def send(self, request: httpx.Request) -> httpx.Response:
        response = await self._transport_for(request.url).handle_async_request(request)
        try:
            await response.aread()  # a no-op for evaltui's transports; streams other transports
        finally:
            await response.aclose()
        return response

    async def aclose(self) -> None:
        await self.transport.aclose()
        if self._proxied is not None:
            await self._proxied.aclose()

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
