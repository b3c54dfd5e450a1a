"""evaltui's httpx transport over aiohttp: the way out for hosts that the environment sends through
a proxy (aiohttp reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY when asked to). Imported only when a
request needs it: aiohttp alone takes longer to import than the rest of a CLI command's start-up.
"""

from __future__ import annotations

import asyncio

import aiohttp
import httpx
from multidict import CIMultiDict
from yarl import URL

__all__ = ["AiohttpTransport"]

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
