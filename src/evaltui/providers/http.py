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

import asyncio
import urllib.request
from types import TracebackType

import aiohttp
import httpx
from multidict import CIMultiDict
from yarl import URL

from evaltui.providers.wire import WireTransport

__all__ = ["AiohttpTransport", "HttpClient", "WireTransport"]

USER_AGENT = "evaltui"
_SKIP_USER_AGENT = ("User-Agent",)


def _mapped(exc: Exception) -> httpx.TransportError:
    """The httpx exception for an aiohttp one. The message is aiohttp's own, which names the host
    but never the request's headers."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message)
    if isinstance(exc, aiohttp.ServerTimeoutError | asyncio.TimeoutError):
        return httpx.ReadTimeout(message)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientResponseError):
        return httpx.RemoteProtocolError(message or "the server closed the connection")
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(message)
    return httpx.ReadError(message)  # payload errors, resets, other OS-level connection errors


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport over one aiohttp session: a connection pool of `limit` keep-alive
    connections. The response body is read whole before returning (model answers are small), so
    the returned `httpx.Response` is already read and holds no connection."""

    def __init__(self, *, limit: int = 64, keepalive_s: float = 30.0, trust_env: bool = False) -> None:
        self.limit = limit
        self.keepalive_s = keepalive_s
        self.trust_env = trust_env  # proxies from the environment
        self._session: aiohttp.ClientSession | None = None
        self._urls: dict[str, URL] = {}

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(limit=self.limit, keepalive_timeout=self.keepalive_s)
        # No total timeout: the engine times each request out with asyncio.timeout, and a
        # cancelled request closes its connection (aiohttp does not reuse a half-read one).
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
            auto_decompress=False,  # httpx decodes Content-Encoding itself
            trust_env=self.trust_env,
        )
        return self._session

    def _url(self, url: httpx.URL) -> URL:
        text = str(url)
        parsed = self._urls.get(text)
        if parsed is None:
            if len(self._urls) > 256:
                self._urls.clear()
            parsed = self._urls[text] = URL(text, encoded=True)
        return parsed

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        # A CIMultiDict is what aiohttp builds from any other form; given one, it skips that step.
        headers = CIMultiDict((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw)
        # aiohttp adds its own User-Agent unless told to skip it; telling it on every request takes
        # its slow path, so only a request without one of its own (never a provider's) pays that.
        skip = None if "User-Agent" in headers else _SKIP_USER_AGENT
        try:
            async with session.request(
                request.method,
                self._url(request.url),
                headers=headers,
                skip_auto_headers=skip,
                data=request.read() or None,
                allow_redirects=False,
            ) as response:
                body = await response.read()
                status, headers, reason = response.status, response.raw_headers, response.reason
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _mapped(exc) from exc
        extensions = {"http_version": b"HTTP/1.1", "reason_phrase": (reason or "").encode()}
        # `stream=` rather than `content=`: the headers are the server's own, so httpx has none to add.
        answer = httpx.Response(
            status, headers=headers, stream=httpx.ByteStream(body), request=request, extensions=extensions
        )
        answer.read()  # decodes any Content-Encoding, as `content=` would have
        return answer

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


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
